/**
 * The few pieces of IMAP syntax the pipelined appender writes and reads itself (imap-appender.ts):
 * mailbox names, date-times, flag lists, and tagged status lines. Pure functions.
 */

/** RFC 3501 §5.1.3 modified UTF-7: printable ASCII stays, `&` is `&-`, other runs are `&` + base64(UTF-16BE) with `,` for `/` + `-`. */
export function encodeMailboxName(name: string): string {
  let out = '';
  let run = '';
  const flush = () => {
    if (!run) return;
    const utf16 = Buffer.alloc(run.length * 2);
    for (let i = 0; i < run.length; i++) utf16.writeUInt16BE(run.charCodeAt(i), i * 2);
    out += `&${utf16.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
    run = '';
  };
  for (const ch of name) {
    const code = ch.charCodeAt(0);
    if (ch.length === 1 && code >= 0x20 && code <= 0x7e) {
      flush();
      out += ch === '&' ? '&-' : ch;
    } else {
      run += ch;
    }
  }
  flush();
  return out;
}

/** A quoted string, or null when the value cannot be one (CR, LF, NUL or 8-bit: those need a literal). */
export function quoted(value: string): string | null {
  if (/[\r\n\0\u0080-\uffff]/.test(value)) return null;
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `" 1-Jan-2002 08:00:00 +0000"` (RFC 3501 date-time, UTC, date-day-fixed), quotes included. */
export function imapDateTime(date: Date): string {
  const day = String(date.getUTCDate()).padStart(2, ' ');
  const time = date.toISOString().slice(11, 19);
  return `"${day}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()} ${time} +0000"`;
}

/** RFC 9051 ATOM-CHAR: printable ASCII but no specials or space. `]` is excluded too (resp-specials). */
const ATOM = /^[!#$&'+-[^-z|}~]+$/;

/**
 * `(\Seen $Work)` for flags that are valid as they are (system flags `\Atom`, keywords atoms), or null
 * when one is not: the caller then leaves the message to the general client.
 */
export function flagList(flags: string[]): string | null {
  for (const flag of flags) {
    const atom = flag.startsWith('\\') ? flag.slice(1) : flag;
    if (!ATOM.test(atom)) return null;
  }
  return `(${flags.join(' ')})`;
}

export interface StatusLine {
  tag: string;
  status: 'OK' | 'NO' | 'BAD' | 'PREAUTH' | 'BYE';
  /** The response code's atom, upper case (APPENDUID, TRYCREATE, CAPABILITY…). */
  code?: string;
  /** What follows the code's atom inside the brackets. */
  codeArgs?: string;
  text: string;
}

/** Parses `TAG OK [CODE args] text` (tag `*` for untagged); null for anything else (data, continuations). */
export function parseStatusLine(line: string): StatusLine | null {
  const match = /^(\S+) (OK|NO|BAD|PREAUTH|BYE)(?: \[([^\] ]+)(?: ([^\]]*))?\])? ?(.*)$/i.exec(line);
  if (!match) return null;
  return {
    tag: match[1]!,
    status: match[2]!.toUpperCase() as StatusLine['status'],
    ...(match[3] ? { code: match[3].toUpperCase() } : {}),
    ...(match[4] !== undefined ? { codeArgs: match[4] } : {}),
    text: match[5] ?? '',
  };
}

/** `1,2,3,7` → `1:3,7`: a short UID set for a page of mostly consecutive UIDs. */
export function uidSet(uids: number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i] as number;
    while (i + 1 < sorted.length && sorted[i + 1] === (sorted[i] as number) + 1) i++;
    parts.push(start === sorted[i] ? String(start) : `${start}:${sorted[i]}`);
  }
  return parts.join(',');
}

/** Largest UID set expanded from an APPENDUID: far above any batch, a guard against a hostile range. */
const MAX_UIDS = 10_000;

/** A UID set (`4:2,7`: a range is a set, so 2:4) expanded in order; null when it is not one or holds `max` UIDs or more. */
export function expandUidSet(set: string, max = 10_000_000): number[] | null {
  const uids: number[] = [];
  for (const part of set.split(',')) {
    const match = /^(\d+)(?::(\d+))?$/.exec(part);
    if (!match) return null;
    const a = Number(match[1]);
    const b = match[2] === undefined ? a : Number(match[2]);
    if (a < 1 || b < 1 || Math.abs(b - a) + uids.length >= max) return null;
    for (let uid = Math.min(a, b); uid <= Math.max(a, b); uid++) uids.push(uid);
  }
  return uids;
}

/**
 * `[APPENDUID 1700000000 42]` or, for a MULTIAPPEND, `[APPENDUID 1700000000 40:42,45]` (RFC 4315: the
 * UIDs in the order of the messages; a server assigns a MULTIAPPEND's UIDs ascending) → UIDVALIDITY
 * and the UIDs; null when the args are not that.
 */
export function appendUids(codeArgs: string | undefined): { uidValidity: string; uids: number[] } | null {
  const match = /^(\d+) ([\d:,]+)$/.exec(codeArgs ?? '');
  const uids = match ? expandUidSet(match[2]!, MAX_UIDS) : null;
  return match && uids ? { uidValidity: match[1]!, uids } : null;
}

/** Capabilities from `CAPABILITY a b c` args, upper case. */
export function capabilitySet(args: string): Set<string> {
  return new Set(args.trim().split(/\s+/).filter(Boolean).map((c) => c.toUpperCase()));
}
