/**
 * Whole-message reads and folder listings on a session of its own (imap-pipelined.ts). imapflow
 * tokenizes every response into objects and copies each literal through its parser; here one write
 * carries `EXAMINE` and `UID FETCH set (UID FLAGS INTERNALDATE BODY.PEEK[])`, and each FETCH response
 * is read straight off the stream: the message bytes are the literal buffer itself. A listing is two
 * writes: `EXAMINE` (with CONDSTORE), the flag changes since a modseq and `UID SEARCH`, then the
 * page's `UID FETCH (UID FLAGS RFC822.SIZE)`. One call at a time per session. EXAMINE every time,
 * even of the folder open already: its view must include messages another session added since, and
 * Dovecot does not refresh it for a NOOP pipelined with the FETCH.
 */
import type { Socket } from 'node:net';
import type { ImapLogin, ImapServer } from './imap-pool.js';
import { PipelinedSession, type Response } from './imap-pipelined.js';
import { encodeMailboxName, expandUidSet, quoted, uidSet } from './imap-wire.js';

/** One message as the server stored it. */
export interface FetchedMessage { uid: number; flags: string[]; internalDate: Date | null; source: Buffer }

export interface FetchResult { uidValidity: string; messages: FetchedMessage[] }

/** One message as a listing sees it: no bytes. */
export interface ListedMessage { uid: number; flags: string[]; size?: number }

/** What EXAMINE said of a folder. */
export interface FolderView { uidValidity: string; uidNext: number | null; exists: number; highestModseq: bigint | null }

export interface ListingResult {
  view: FolderView;
  /** Messages whose flags changed since `changedSince.modseq` (UIDs below `changedSince.before`), when asked and the server could tell. */
  changed: ListedMessage[] | null;
  /** UIDs ≥ `from`, ascending. */
  uids: number[];
  /** Flags and sizes of the first `pageSize` of them. */
  page: ListedMessage[];
}

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

interface FetchFields { uid?: number; flags?: string[]; internalDate: Date | null; size?: number; source?: Buffer }

/** The data items of one `* n FETCH (…)` response; null when it is not a FETCH. */
function fetchFields(response: Response): FetchFields | null {
  const tokens = new Tokens(response);
  if (!tokens.openFetch()) return null;
  const fields: FetchFields = { internalDate: null };
  for (let name = tokens.next(); name !== undefined; name = tokens.next()) {
    const value = tokens.next();
    const item = typeof name === 'string' ? name.toUpperCase() : '';
    if (item === 'UID' && typeof value === 'number') fields.uid = value;
    else if (item === 'FLAGS' && Array.isArray(value)) fields.flags = value.filter((f): f is string => typeof f === 'string');
    else if (item === 'INTERNALDATE' && typeof value === 'string') fields.internalDate = parseImapDateTime(value);
    else if (item === 'RFC822.SIZE' && typeof value === 'number') fields.size = value;
    else if (item === 'BODY[]') fields.source = Buffer.isBuffer(value) ? value : typeof value === 'string' ? Buffer.from(value, 'utf8') : undefined;
  }
  return fields;
}

/** The message of one `* n FETCH (…)` response; null when it lacks the UID or the body. */
export function parseFetch(response: Response): FetchedMessage | null {
  const fields = fetchFields(response);
  if (!fields || fields.uid === undefined || fields.source === undefined) return null;
  return { uid: fields.uid, flags: fields.flags ?? [], internalDate: fields.internalDate, source: fields.source };
}

/** UIDs of a `* SEARCH 1 2 3` or `* ESEARCH (TAG "x") UID ALL 1:3` response; null for any other response. */
export function parseSearch(line: string): number[] | null {
  const plain = /^\* SEARCH((?: \d+)*)\s*$/i.exec(line);
  if (plain) return plain[1]!.trim() === '' ? [] : plain[1]!.trim().split(' ').map(Number);
  if (!/^\* ESEARCH /i.test(line)) return null;
  const all = / ALL ([\d:,]+)/i.exec(line);
  return all ? expandUidSet(all[1]!) : [];
}

/** Collects the untagged responses of the call in progress. */
type Collector = (response: Response) => void;

export class ImapReader extends PipelinedSession {
  private collect: Collector | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** Signs in on a new connection; null when the server wants STARTTLS first. Throws (imapflow-shaped) on failures. */
  static async open(server: ImapServer, login: ImapLogin, timeoutMs: number): Promise<ImapReader | null> {
    return PipelinedSession.connect((socket: Socket) => new ImapReader(socket), server, login, timeoutMs);
  }

  protected serves(): boolean {
    return true;
  }

  protected onUntagged(response: Response): void {
    this.collect?.(response);
  }

  /** Runs `call` once the session's previous call is over, with `collect` receiving its untagged responses. */
  private exclusive<T>(collect: Collector, call: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      this.collect = collect;
      try {
        return await call();
      } finally {
        this.collect = null;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The messages of `uids` in folder `path` that are there (a UID gone is simply absent), with the
   * folder's UIDVALIDITY. Null when the folder name cannot be sent as a quoted string (imapflow then).
   */
  fetch(path: string, uids: string): Promise<FetchResult> | null {
    const mailbox = quoted(encodeMailboxName(path));
    if (mailbox === null) return null;
    const view = emptyView();
    const messages: FetchedMessage[] = [];
    return this.exclusive((response) => {
      if (readView(response.lines[0]!, view)) return;
      if (response.literals.length > 0 || / FETCH \(/i.test(response.lines[0]!)) {
        const message = parseFetch(response);
        if (message) messages.push(message);
      }
    }, async () => {
      const [open, fetched] = this.commands([[`EXAMINE ${mailbox}\r\n`], [`UID FETCH ${uids} (UID FLAGS INTERNALDATE BODY.PEEK[])\r\n`]]);
      fetched!.catch(() => undefined);
      await open;
      await fetched;
      return { uidValidity: validityOf(view, path), messages };
    });
  }

  /**
   * A folder's view and its UIDs from `from` on, with flags and sizes of the first `pageSize`; with
   * `changedSince`, also the messages below `before` whose flags changed since that modseq (CONDSTORE).
   * Null when the folder name cannot be sent as a quoted string (imapflow then).
   */
  listing(path: string, from: number, pageSize: number, changedSince?: { before: number; modseq: string }): Promise<ListingResult> | null {
    const mailbox = quoted(encodeMailboxName(path));
    if (mailbox === null) return null;
    const condstore = this.capabilities.has('CONDSTORE') || this.capabilities.has('QRESYNC');
    const view = emptyView();
    let uids: number[] | null = null;
    const fetched: { uid: number; flags: string[]; size?: number; modseq: boolean }[] = [];
    return this.exclusive((response) => {
      const first = response.lines[0]!;
      if (readView(first, view)) return;
      const found = parseSearch(first);
      if (found) {
        uids = [...(uids ?? []), ...found];
        return;
      }
      const fields = / FETCH \(/i.test(first) ? fetchFields(response) : null;
      if (fields?.uid !== undefined) fetched.push({ uid: fields.uid, flags: fields.flags ?? [], ...(fields.size === undefined ? {} : { size: fields.size }), modseq: /\bMODSEQ \(/i.test(first) });
    }, async () => {
      const asked = condstore && changedSince !== undefined && changedSince.before > 1;
      const search = this.capabilities.has('ESEARCH') ? `UID SEARCH RETURN (ALL) UID ${from}:*` : `UID SEARCH UID ${from}:*`;
      const sent = this.commands([
        [`EXAMINE ${mailbox}${condstore ? ' (CONDSTORE)' : ''}\r\n`],
        ...(asked ? [[`UID FETCH 1:${changedSince.before - 1} (UID FLAGS) (CHANGEDSINCE ${changedSince.modseq})\r\n`]] : []),
        [`${search}\r\n`],
      ]);
      for (const p of sent) p.catch(() => undefined);
      const [open, ...rest] = sent;
      await open;
      // A folder without mod-sequences refuses CHANGEDSINCE: then there is nothing to say about changes.
      const changedOk = asked ? await rest[0]!.then(() => true, () => false) : false;
      await rest[rest.length - 1];
      const changed = changedOk && view.highestModseq !== null ? fetched.splice(0).filter((m) => m.modseq).map(({ uid, flags }) => ({ uid, flags })) : null;
      fetched.length = 0;
      const newer = [...new Set((uids ?? []) as number[])].filter((uid) => uid >= from).sort((a, b) => a - b);
      const wanted = newer.slice(0, pageSize);
      if (wanted.length > 0) await this.command(`UID FETCH ${uidSet(wanted)} (UID FLAGS RFC822.SIZE)\r\n`);
      const page = fetched.filter((m) => m.size !== undefined).map(({ uid, flags, size }) => ({ uid, flags, ...(size === undefined ? {} : { size }) }));
      return { view: { ...view, uidValidity: validityOf(view, path) }, changed, uids: newer, page };
    });
  }
}

function emptyView(): FolderView {
  return { uidValidity: '', uidNext: null, exists: 0, highestModseq: null };
}

/** Takes what an EXAMINE's untagged responses say into `view`; true when the line was one of them. */
function readView(line: string, view: FolderView): boolean {
  const code = /^\* OK \[(UIDVALIDITY|UIDNEXT|HIGHESTMODSEQ|NOMODSEQ)(?: (\d+))?\]/i.exec(line);
  if (code) {
    const name = code[1]!.toUpperCase();
    if (name === 'UIDVALIDITY') view.uidValidity = code[2] ?? '';
    else if (name === 'UIDNEXT') view.uidNext = code[2] === undefined ? null : Number(code[2]);
    else if (name === 'HIGHESTMODSEQ') view.highestModseq = code[2] === undefined ? null : BigInt(code[2]);
    else view.highestModseq = null;
    return true;
  }
  const exists = /^\* (\d+) EXISTS\s*$/i.exec(line);
  if (exists) {
    view.exists = Number(exists[1]);
    return true;
  }
  return false;
}

function validityOf(view: FolderView, path: string): string {
  if (view.uidValidity === '') throw Object.assign(new Error(`the server did not give the UIDVALIDITY of "${path}"`), { code: 'EProtocol' });
  return view.uidValidity;
}
