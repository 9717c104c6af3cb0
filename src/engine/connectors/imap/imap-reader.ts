/**
 * Whole-message reads on a session of its own (imap-pipelined.ts). imapflow tokenizes every
 * response into objects and copies each literal through its parser; here one write carries
 * `EXAMINE` and `UID FETCH set (UID FLAGS INTERNALDATE BODY.PEEK[])`, and each FETCH response is read
 * straight off the stream: the message bytes are the literal buffer itself. One fetch at a time per
 * session. EXAMINE every time, even of the folder open already: its view must include messages
 * another session added since, and Dovecot does not refresh it for a NOOP pipelined with the FETCH.
 */
import type { Socket } from 'node:net';
import type { ImapLogin, ImapServer } from './imap-pool.js';
import { PipelinedSession, type Response } from './imap-pipelined.js';
import { encodeMailboxName, quoted } from './imap-wire.js';

/** One message as the server stored it. */
export interface FetchedMessage { uid: number; flags: string[]; internalDate: Date | null; source: Buffer }

export interface FetchResult { uidValidity: string; messages: FetchedMessage[] }

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

/** RFC 3501 date-time `17-Jul-1996 02:44:25 -0700` (day may be space-padded) → Date; null when malformed. */
export function parseImapDateTime(value: string): Date | null {
  const match = /^\s*(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(value);
  const month = match ? MONTHS[match[2]!.toLowerCase()] : undefined;
  if (!match || month === undefined) return null;
  const offsetMinutes = (match[7] === '-' ? -1 : 1) * (Number(match[8]) * 60 + Number(match[9]));
  const utc = Date.UTC(Number(match[3]), month, Number(match[1]), Number(match[4]), Number(match[5]), Number(match[6]));
  return new Date(utc - offsetMinutes * 60_000);
}

type Value = string | number | Buffer | null | Value[];

/**
 * Reads the values of one response: atoms (with `[section]` and `<partial>` kept in them), numbers,
 * quoted strings, NIL, lists, and literals (the `{n}` at a line's end stands for the next literal).
 */
class Tokens {
  private line = 0;
  private at = 0;

  constructor(private readonly response: Response) {}

  private get text(): string {
    return this.response.lines[this.line] ?? '';
  }

  private skipSpaces(): void {
    while (this.text.charCodeAt(this.at) === 32) this.at++;
  }

  /** The next value, or undefined at a `)` (consumed) or the end. */
  next(): Value | undefined {
    this.skipSpaces();
    const text = this.text;
    const ch = text[this.at];
    if (ch === undefined) return undefined;
    if (ch === ')') {
      this.at++;
      return undefined;
    }
    if (ch === '(') {
      this.at++;
      const list: Value[] = [];
      for (let value = this.next(); value !== undefined; value = this.next()) list.push(value);
      return list;
    }
    if (ch === '"') return this.quotedString();
    if (ch === '{') {
      const literal = this.response.literals[this.line] ?? Buffer.alloc(0);
      this.line++;
      this.at = 0;
      return literal;
    }
    return this.atom();
  }

  private quotedString(): string {
    const text = this.text;
    let out = '';
    let i = this.at + 1;
    for (; i < text.length && text[i] !== '"'; i++) out += text[i] === '\\' ? text[++i] ?? '' : text[i];
    this.at = i + 1;
    return out;
  }

  private atom(): Value {
    const text = this.text;
    let i = this.at;
    let depth = 0;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '[') depth++;
      else if (c === ']') depth--;
      else if (depth === 0 && (c === ' ' || c === ')' || c === '(')) break;
    }
    const word = text.slice(this.at, i);
    this.at = i;
    if (word.toUpperCase() === 'NIL') return null;
    return /^\d+$/.test(word) ? Number(word) : word;
  }

  /** Skips `* <n> FETCH ` and the opening `(`; false when the response is not a FETCH. */
  openFetch(): boolean {
    const match = /^\* \d+ FETCH \(/i.exec(this.text);
    if (!match) return false;
    this.at = match[0].length;
    return true;
  }
}

/** The message of one `* n FETCH (…)` response; null when it lacks the UID or the body. */
export function parseFetch(response: Response): FetchedMessage | null {
  const tokens = new Tokens(response);
  if (!tokens.openFetch()) return null;
  let uid: number | undefined;
  let flags: string[] = [];
  let internalDate: Date | null = null;
  let source: Buffer | undefined;
  for (let name = tokens.next(); name !== undefined; name = tokens.next()) {
    const value = tokens.next();
    const item = typeof name === 'string' ? name.toUpperCase() : '';
    if (item === 'UID' && typeof value === 'number') uid = value;
    else if (item === 'FLAGS' && Array.isArray(value)) flags = value.filter((f): f is string => typeof f === 'string');
    else if (item === 'INTERNALDATE' && typeof value === 'string') internalDate = parseImapDateTime(value);
    else if (item === 'BODY[]') source = Buffer.isBuffer(value) ? value : typeof value === 'string' ? Buffer.from(value, 'utf8') : undefined;
  }
  return uid !== undefined && source !== undefined ? { uid, flags, internalDate, source } : null;
}

export class ImapReader extends PipelinedSession {
  private collecting: { uidValidity: string | null; messages: FetchedMessage[] } | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** Signs in on a new connection; null when the server wants STARTTLS first. Throws (imapflow-shaped) on failures. */
  static async open(server: ImapServer, login: ImapLogin, timeoutMs: number): Promise<ImapReader | null> {
    return PipelinedSession.connect((socket: Socket) => new ImapReader(socket), server, login, timeoutMs);
  }

  protected serves(): boolean {
    return true;
  }

  protected onUntagged(response: Response): void {
    const first = response.lines[0]!;
    if (!this.collecting) return;
    const validity = /^\* OK \[UIDVALIDITY (\d+)\]/i.exec(first);
    if (validity) {
      this.collecting.uidValidity = validity[1]!;
      return;
    }
    if (response.literals.length > 0 || / FETCH \(/i.test(first)) {
      const message = parseFetch(response);
      if (message) this.collecting.messages.push(message);
    }
  }

  /**
   * The messages of `uids` in folder `path` that are there (a UID gone is simply absent), with the
   * folder's UIDVALIDITY. Null when the folder name cannot be sent as a quoted string (imapflow then).
   */
  fetch(path: string, uids: string): Promise<FetchResult> | null {
    const mailbox = quoted(encodeMailboxName(path));
    if (mailbox === null) return null;
    const run = this.queue.then(() => this.fetchNow(path, mailbox, uids));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async fetchNow(path: string, mailbox: string, uids: string): Promise<FetchResult> {
    this.collecting = { uidValidity: null, messages: [] };
    try {
      const [open, fetched] = this.commands([[`EXAMINE ${mailbox}\r\n`], [`UID FETCH ${uids} (UID FLAGS INTERNALDATE BODY.PEEK[])\r\n`]]);
      fetched!.catch(() => undefined);
      await open;
      await fetched;
      const { uidValidity, messages } = this.collecting;
      if (uidValidity === null) throw Object.assign(new Error(`the server did not give the UIDVALIDITY of "${path}"`), { code: 'EProtocol' });
      return { uidValidity, messages };
    } finally {
      this.collecting = null;
    }
  }
}
