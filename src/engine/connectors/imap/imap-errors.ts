/**
 * imapflow and socket failures become AppErrors with a sentence an admin can act on. The raw
 * imapflow error never travels on: it can carry the executed command, and LOGIN carries a password.
 */
import { AppError } from '../../../errors.js';

/** The fields of an imapflow error (or a Node socket error) that we read; all optional. */
interface ImapFailure {
  code?: string;
  message?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
  responseStatus?: string;
  mailboxMissing?: boolean;
  throttleReset?: number;
  tlsFailed?: boolean;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ETIMEOUT', 'NoConnection', 'EConnectionClosed',
  'ClosedAfterConnectText', 'ClosedAfterConnectTLS', 'StateLogout',
]);

const THROTTLE_CODES = new Set(['LIMIT', 'INUSE', 'UNAVAILABLE']);
const DEFAULT_RETRY_MS = 30_000;

/** Where the failure happened, for the sentence: `alice@example.com` and `imap.example.com:993`. */
export interface FailureSite {
  address?: string;
  server: string;
  /** What we were doing, e.g. "reading folder Projects". */
  doing?: string;
}

export function toImapAppError(error: unknown, site: FailureSite): AppError {
  if (error instanceof AppError) return error;
  const failure = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ImapFailure;
  const who = site.address ? `${site.address}: ` : '';
  const doing = site.doing ? ` while ${site.doing}` : '';
  const responseCode = failure.serverResponseCode?.toUpperCase();
  const cause = new Error(`imap ${failure.code ?? responseCode ?? 'error'}: ${failure.responseText ?? failure.message ?? ''}`.slice(0, 300));

  if (failure.authenticationFailed) {
    return new AppError('AUTH_FAILED', `${who}the server refused the password (${responseCode ?? 'AUTHENTICATIONFAILED'}). Check the address and password (or the master user) and try again.`, { cause, details: { address: site.address } });
  }
  if (failure.code === 'ETHROTTLE' || (responseCode && THROTTLE_CODES.has(responseCode)) || /throttl|too many|rate limit|maximum number of connections/i.test(failure.responseText ?? '') || /maximum number of connections/i.test(failure.message ?? '')) {
    const retryAfterMs = failure.throttleReset && failure.throttleReset > 0 ? failure.throttleReset : DEFAULT_RETRY_MS;
    return new AppError('THROTTLED', `${who}${site.server} asked us to slow down${doing}; mailferry retries automatically.`, { cause, retryAfterMs });
  }
  if (failure.tlsFailed || /certificate|SSL routines|wrong version number/i.test(failure.message ?? '')) {
    return new AppError('CONNECTION_FAILED', `${who}could not open a secure connection to ${site.server}. Check the port and the TLS setting (993 uses TLS, 143 usually does not).`, { cause, retryable: false });
  }
  if (failure.code && CONNECTION_CODES.has(failure.code)) {
    return new AppError('CONNECTION_FAILED', `${who}could not reach the IMAP server ${site.server} (${failure.code})${doing}. Check the host and port, and that the server accepts connections from mailferry.`, { cause, retryable: true });
  }
  if (failure.mailboxMissing || responseCode === 'NONEXISTENT') {
    return new AppError('NOT_FOUND', `${who}the folder does not exist on ${site.server}${doing}. Rescan the mailbox to pick up renamed or deleted folders.`, { cause });
  }
  if (responseCode === 'OVERQUOTA') {
    return new AppError('FORBIDDEN', `${who}the mailbox on ${site.server} is over its quota${doing}. Raise the quota or free space, then resume.`, { cause });
  }
  if (responseCode === 'TOOBIG' || responseCode === 'APPENDLIMIT' || failure.code === 'LiteralTooLarge') {
    return new AppError('UNSUPPORTED', `${who}the message is larger than ${site.server} accepts${doing}; it is recorded as skipped.`, { cause });
  }
  const said = failure.responseText ? `: "${failure.responseText.slice(0, 160)}"` : '';
  return new AppError('INTERNAL', `${who}the IMAP server ${site.server} rejected a request${doing}${said}. Try again; if it keeps failing, check the server log.`, { cause, retryable: true });
}
