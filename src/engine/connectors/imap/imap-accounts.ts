/**
 * IMAP cannot enumerate accounts: the admin lists them in the connection settings. This file turns
 * that list into MailboxRefs and logins (Dovecot master-user convention `address*master`), pages it,
 * and validates every sign-in.
 */
import { AppError } from '../../../errors.js';
import type { ConnectionSettings, MailboxPage, MailboxRef, ValidationResult } from '../types.js';
import type { ImapLogin, ImapPool } from './imap-pool.js';

export type ImapSettings = Extract<ConnectionSettings, { platform: 'imap' }>;

export const MAILBOX_PAGE_SIZE = 500;
const VALIDATE_CONCURRENCY = 4;

export function normaliseAddress(address: string): string {
  return address.trim().toLowerCase();
}

export function mailboxRef(settings: ImapSettings, address: string): MailboxRef {
  const normalised = normaliseAddress(address);
  return { id: `imap:${settings.host.toLowerCase()}:${normalised}`, address: normalised, displayName: normalised.split('@')[0] ?? normalised, kind: 'user' };
}

export function listMailboxes(settings: ImapSettings, page?: string, pageSize = MAILBOX_PAGE_SIZE): MailboxPage {
  const offset = page === undefined ? 0 : Number(page);
  if (!Number.isInteger(offset) || offset < 0) throw new AppError('BAD_INPUT', `"${page}" is not a page of this IMAP account list. Start the scan again.`);
  const mailboxes = settings.mailboxes.slice(offset, offset + pageSize).map((m) => mailboxRef(settings, m.address));
  const end = offset + mailboxes.length;
  return end < settings.mailboxes.length ? { mailboxes, nextPage: String(end) } : { mailboxes };
}

/** The login for a mailbox of these settings; NOT_FOUND when the address is not in the list. */
export function loginFor(settings: ImapSettings, mailbox: Pick<MailboxRef, 'address'>): ImapLogin {
  const wanted = normaliseAddress(mailbox.address);
  const account = settings.mailboxes.find((m) => normaliseAddress(m.address) === wanted);
  if (!account) throw new AppError('NOT_FOUND', `${mailbox.address} is not in this IMAP connection's account list. Add it to the connection, then scan again.`);
  const address = account.address.trim();
  return settings.masterUser
    ? { address: wanted, user: `${address}*${settings.masterUser.user}`, password: settings.masterUser.password }
    : { address: wanted, user: address, password: account.password };
}

/** Signs in to every account (a few at a time). One unreachable server is reported once, not per account. */
export async function validate(settings: ImapSettings, pool: ImapPool, signal?: AbortSignal): Promise<ValidationResult> {
  const server = `${settings.host}:${settings.port}`;
  const accounts = settings.mailboxes;
  if (accounts.length === 0) return { ok: false, summary: `No accounts to check on ${server}: add at least one address and password.`, problems: [{ message: 'The account list is empty.' }] };

  const problems: { address?: string; message: string }[] = [];
  let signedIn = 0;
  let unreachable: AppError | undefined;
  const checkOne = async (index: number) => {
    const login = loginFor(settings, accounts[index]!);
    try {
      await pool.check(login);
      signedIn++;
    } catch (error) {
      const appError = error instanceof AppError ? error : new AppError('INTERNAL', `${login.address}: the sign-in failed for an unknown reason.`);
      if (appError.code === 'CONNECTION_FAILED') unreachable ??= appError;
      else problems.push({ address: login.address, message: appError.userMessage });
    }
  };
  // The first sign-in alone tells whether the server is there at all; then a few in parallel.
  await checkOne(0);
  let next = 1;
  const worker = async () => {
    while (next < accounts.length && !unreachable && !signal?.aborted) await checkOne(next++);
  };
  await Promise.all(Array.from({ length: VALIDATE_CONCURRENCY }, worker));

  problems.sort((a, b) => (a.address ?? '').localeCompare(b.address ?? ''));
  if (unreachable) {
    const message = unreachable.userMessage.replace(/^[^:]*@[^:]*: /, '');
    return { ok: false, summary: `Could not reach ${server}.`, problems: [{ message: message.charAt(0).toUpperCase() + message.slice(1) }, ...problems] };
  }
  return { ok: signedIn === accounts.length, summary: `Signed in to ${signedIn} of ${accounts.length} accounts on ${server}.`, problems };
}
