/**
 * Microsoft identity platform (AADSTS) and Graph failures become AppErrors whose sentence says what
 * to fix. Raw vendor text travels only as a short `cause` for the server log, never to chat: token
 * endpoint messages can echo the client id, and nothing here may carry a secret.
 */
import { AppError } from '../../../errors.js';

/** A non-2xx Graph answer, before it is translated (callers first check the statuses they expect). */
export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly graphMessage: string,
    readonly retryAfterMs?: number,
  ) {
    super(`graph ${status} ${code}: ${graphMessage}`.slice(0, 300));
    this.name = 'GraphHttpError';
  }
}

const AADSTS_SENTENCES: Record<string, string> = {
  '7000215': 'The client secret is wrong: copy the secret\'s Value (not its ID) from Entra ID → App registrations → Certificates & secrets.',
  '7000222': 'The client secret has expired: create a new one in Entra ID → App registrations → Certificates & secrets, and paste its Value here.',
  '700016': 'The application is not known in this tenant: check the application (client) ID, and that an administrator of the tenant granted admin consent to it.',
  '90002': 'The tenant was not found: check the directory (tenant) ID in Entra ID → Overview.',
  '700027': 'The certificate was not accepted: upload its public part in Entra ID → App registrations → Certificates & secrets, and paste the matching private key here.',
  '7000112': 'The application is disabled in this tenant: an administrator must enable it in Entra ID → Enterprise applications.',
  '65001': 'Admin consent is missing: an administrator must grant admin consent to the application in Entra ID → App registrations → API permissions.',
  '90014': 'The sign-in request was incomplete: check the tenant ID, client ID and secret.',
  '700024': 'The certificate is not valid at this time: check its validity dates.',
};

/** The AADSTS number in an identity-platform error text, if any. */
export function aadstsCode(text: string | undefined): string | undefined {
  return /AADSTS(\d+)/.exec(text ?? '')?.[1];
}

/** Sign-in failure → AUTH_FAILED naming the AADSTS code and what to fix (CONNECTION_FAILED when nothing answered). */
export function signInError(error: unknown, tenantId: string): AppError {
  if (error instanceof AppError) return error;
  const text = error instanceof Error ? `${error.message} ${(error as { errorCode?: string }).errorCode ?? ''}` : String(error);
  const code = aadstsCode(text);
  const cause = new Error(`msal: ${text}`.slice(0, 300));
  if (code) {
    const sentence = AADSTS_SENTENCES[code] ?? 'Microsoft refused the sign-in: check the tenant ID, client ID and secret or certificate.';
    return new AppError('AUTH_FAILED', `Signing in to Microsoft 365 tenant ${tenantId} failed (AADSTS${code}). ${sentence}`, { cause, details: { aadsts: `AADSTS${code}` } });
  }
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN|socket hang up|network|certificate|self.signed/i.test(text)) {
    return new AppError('CONNECTION_FAILED', `Could not reach the Microsoft sign-in service for tenant ${tenantId}. Check the network connection (and proxy) from the mailferry server, then try again.`, { cause, retryable: true });
  }
  return new AppError('AUTH_FAILED', `Signing in to Microsoft 365 tenant ${tenantId} failed. Check the tenant ID, client ID and secret or certificate.`, { cause });
}

/** The application permission an operation needs, named in 403 sentences. */
export type GraphPermission =
  | 'User.Read.All' | 'Organization.Read.All' | 'MailboxSettings.Read' | 'Mail.ReadWrite' | 'Calendars.ReadWrite'
  | 'Contacts.ReadWrite' | 'User.ReadWrite.All' | 'LicenseAssignment.ReadWrite.All';

export interface GraphSite {
  /** What we were doing, e.g. "listing folders of ada@contoso.com". */
  doing: string;
  permission?: GraphPermission;
}

/** Graph failure → AppError. 429/503 are THROTTLED with the server's Retry-After. */
export function graphError(error: unknown, site: GraphSite): AppError {
  if (error instanceof AppError) return error;
  if (!(error instanceof GraphHttpError)) return networkError(error, site);
  const cause = new Error(error.message);
  const { status, code } = error;
  if (status === 429 || status === 503) {
    const who = status === 429 ? 'Microsoft 365 throttled mailferry' : 'Microsoft 365 was briefly unavailable';
    return new AppError('THROTTLED', `${who} while ${site.doing}; mailferry waits and continues.`, { cause, retryAfterMs: error.retryAfterMs ?? 5_000 });
  }
  if (status === 401) {
    return new AppError('AUTH_FAILED', `Microsoft 365 refused mailferry's token while ${site.doing} (${code}). Check the connection's tenant ID, client ID and secret, then try again.`, { cause });
  }
  if (status === 403) {
    const permission = site.permission ? `the application permission ${site.permission}` : 'an application permission';
    return new AppError('AUTH_FAILED', `Microsoft 365 denied access while ${site.doing} (${code}): the app registration lacks ${permission}. Add it in Entra ID → App registrations → API permissions (Microsoft Graph, Application) and grant admin consent.`, { cause, details: { permission: site.permission } });
  }
  if (status === 404) {
    if (code === 'MailboxNotEnabledForRESTAPI') {
      return new AppError('NOT_FOUND', `There is no Exchange Online mailbox (yet) while ${site.doing}: check the user's license; a new mailbox takes a few minutes to appear.`, { cause });
    }
    return new AppError('NOT_FOUND', `Microsoft 365 could not find it while ${site.doing} (${code}). Rescan to pick up renamed or deleted items.`, { cause });
  }
  if (status === 413) return new AppError('UNSUPPORTED', `The item is larger than Microsoft Graph accepts in one request while ${site.doing}; it is recorded as skipped.`, { cause });
  if (status === 400 || status === 409 || status === 422) {
    return new AppError('BAD_INPUT', `Microsoft 365 refused the request while ${site.doing}: ${error.graphMessage.slice(0, 200)}`, { cause });
  }
  if (status === 502 || status === 504) {
    return new AppError('CONNECTION_FAILED', `Microsoft 365 did not answer in time while ${site.doing}; mailferry retries.`, { cause, retryable: true });
  }
  return new AppError('INTERNAL', `Microsoft 365 failed while ${site.doing} (${status} ${code}). Try again; if it keeps failing, check Microsoft 365 service health.`, { cause, retryable: true });
}

function networkError(error: unknown, site: GraphSite): AppError {
  const text = error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}` : String(error);
  const cause = new Error(`graph network: ${text}`.slice(0, 300));
  if (/abort/i.test(text)) return new AppError('CONNECTION_FAILED', `The request was cancelled while ${site.doing}.`, { cause });
  return new AppError('CONNECTION_FAILED', `Could not reach Microsoft Graph while ${site.doing}. Check the network connection (and proxy) from the mailferry server; mailferry retries.`, { cause, retryable: true });
}

/** Retry-After (seconds or an HTTP date) in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
