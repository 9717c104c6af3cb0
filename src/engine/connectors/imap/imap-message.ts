/** Small pure helpers about messages shared by the IMAP connector files. */
import { createHash } from 'node:crypto';
import { AppError } from '../../../errors.js';

export function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * The bytes as an IMAP server may store them: runs of CR before LF, and bare LFs, become CRLF. Two
 * messages equal in this form differ only in how their lines end, which servers rewrite on APPEND.
 */
export function lineEndsNormalised(content: Buffer): Buffer {
  const text = content.toString('latin1');
  if (!/\r\r|(?:^|[^\r])\n/.test(text)) return content;
  return Buffer.from(text.replace(/\r*\n/g, '\r\n'), 'latin1');
}

/** \Recent belongs to a session, not to a message: it is never carried over, and servers refuse it in APPEND. */
export function portableFlags(flags: Iterable<string> | undefined): string[] {
  return [...(flags ?? [])].filter((flag) => flag.toLowerCase() !== '\\recent').sort();
}

/**
 * The Message-ID header value, unfolded, runs of white space kept as one space: real mail carries
 * values like `<id@host> (added by relay)` or spaces inside the brackets, and the header search of
 * the probe must find them as they are stored.
 */
export function messageIdOf(raw: Buffer | undefined): string | undefined {
  if (!raw) return undefined;
  const end = headerEnd(raw);
  const header = raw.subarray(0, end).toString('latin1');
  const match = /^message-id:[ \t]*((?:[^\r\n]|\r?\n[ \t])*)/im.exec(header);
  const value = match?.[1]?.replace(/\s+/g, ' ').trim();
  return value ? value : undefined;
}

/**
 * What to SEARCH HEADER for: the longest run without white space. A server matches a substring of
 * the stored (possibly folded) header, and folding can only happen at white space.
 */
export function messageIdSearchTerm(messageId: string): string {
  return messageId.split(/\s+/).reduce((best, part) => (part.length > best.length ? part : best), '');
}

function headerEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  if (crlf >= 0) return crlf + 2;
  const lf = raw.indexOf('\n\n');
  return lf >= 0 ? lf + 1 : raw.length;
}

/** Item keys are `uidValidity:uid`: a UID alone means nothing once UIDVALIDITY changes. */
export function itemKey(uidValidity: bigint | number | string, uid: number): string {
  return `${uidValidity.toString()}:${uid}`;
}

export function parseItemKey(key: string): { uidValidity: string; uid: number } {
  const match = /^(\d+):(\d+)$/.exec(key);
  if (!match) throw new AppError('BAD_INPUT', `"${key}" is not an IMAP item key (expected uidvalidity:uid).`);
  return { uidValidity: match[1]!, uid: Number(match[2]) };
}
