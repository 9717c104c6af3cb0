/**
 * A pipelined APPEND writer on its own socket. imapflow sends one command at a time and waits for
 * the server's "+ go ahead" before every literal over 4 KB, so each message costs round trips before
 * its bytes move. With LITERAL+ (RFC 7888) this writer sends `APPEND box (flags) "date" {n+}` and the
 * bytes at once, many commands back to back, and matches each tagged `OK [APPENDUID v uid]` (UIDPLUS,
 * RFC 4315) to its message. Servers without LITERAL+ or UIDPLUS (or that want STARTTLS first) get
 * no appender: `open` answers null and the caller keeps imapflow's append.
 *
 * Crash safety is the engine's (intents before writes, probe after a crash): a write in flight when
 * the socket dies is rejected as a connection failure, exactly like imapflow's.
 */
import type { Socket } from 'node:net';
import type { ImapLogin, ImapServer } from './imap-pool.js';
import { PipelinedSession, type Response, type WireError } from './imap-pipelined.js';
import { appendUids, encodeMailboxName, flagList, imapDateTime, quoted, type StatusLine } from './imap-wire.js';

export type { WireError } from './imap-pipelined.js';

/** A message waiting for its APPEND: `head` is ` (flags) "date" {n+}\r\n`, `mailbox` quoted and encoded. */
interface Queued { mailbox: string; head: string; content: Buffer; resolve(result: AppendResult): void; reject(error: WireError): void }

/** What a write gave: the new message's UID, or nothing when the server did not say (UIDNOTSTICKY). */
export type AppendResult = { uidValidity: string; uid: number } | null;

const CRLF = Buffer.from('\r\n');
/**
 * Commands in flight at once: while they run, new messages gather into the next MULTIAPPEND. Two, so
 * the server always has the next batch when it finishes one.
 */
const MAX_IN_FLIGHT = 2;
/** Messages and bytes per MULTIAPPEND: one server transaction per batch (Dovecot: a maildir/index commit each). */
export const MAX_BATCH = 50;
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

export class ImapAppender extends PipelinedSession {
  private readonly queue: Queued[] = [];
  private inFlight = 0;
  private flushing = false;

  /** Signs in on a new connection; null when the server lacks LITERAL+ or UIDPLUS. Throws (imapflow-shaped) on failures. */
  static async open(server: ImapServer, login: ImapLogin, timeoutMs: number): Promise<ImapAppender | null> {
    return PipelinedSession.connect((socket: Socket) => new ImapAppender(socket), server, login, timeoutMs);
  }

  protected serves(): boolean {
    return this.capabilities.has('LITERAL+') && this.capabilities.has('UIDPLUS');
  }

  protected onUntagged(_response: Response): void {
    // An appender selects no mailbox: untagged data (EXISTS of another session, alerts) is not its business.
  }

  private limit: { of: Set<string>; value: number | undefined } | null = null;

  /** The server's APPENDLIMIT (RFC 7889), when it gives one (read once per capability list). */
  get appendLimit(): number | undefined {
    if (this.limit?.of !== this.capabilities) {
      let value: number | undefined;
      for (const capability of this.capabilities) {
        const match = /^APPENDLIMIT=(\d+)$/.exec(capability);
        if (match) value = Number(match[1]);
      }
      this.limit = { of: this.capabilities, value };
    }
    return this.limit.value;
  }

  /**
   * Queues one message for its folder; resolves with its APPENDUID once the server took it. Null
   * when `flags` cannot be written as atoms (the caller then uses imapflow).
   */
  append(path: string, content: Buffer, flags: string[], date: Date): Promise<AppendResult> | null {
    const list = flagList(flags);
    const mailbox = quoted(encodeMailboxName(path));
    if (list === null || mailbox === null) return null;
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ mailbox, head: ` ${list} ${imapDateTime(date)} {${content.length}+}\r\n`, content, resolve, reject });
      this.schedule();
    });
  }

/** Flushes once the current turn has queued what it will: every write started together rides one batch. */
  private schedule(): void {
    if (this.flushing || this.inFlight >= MAX_IN_FLIGHT) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
        const batch = this.takeBatch();
        this.inFlight++;
        void this.send(batch).finally(() => {
          this.inFlight--;
          if (this.queue.length > 0) this.schedule();
        });
      }
    });
  }

  /** The oldest queued message and the others queued for the same folder, within the batch limits. */
  private takeBatch(): Queued[] {
    const mailbox = this.queue[0]!.mailbox;
    const limit = this.capabilities.has('MULTIAPPEND') ? MAX_BATCH : 1;
    const batch: Queued[] = [];
    let bytes = 0;
    for (let i = 0; i < this.queue.length && batch.length < limit;) {
      const item = this.queue[i]!;
      if (item.mailbox !== mailbox || (batch.length > 0 && bytes + item.content.length > MAX_BATCH_BYTES)) {
        i++;
        continue;
      }
      batch.push(item);
      bytes += item.content.length;
      this.queue.splice(i, 1);
    }
    return batch;
  }

  /**
   * One APPEND (MULTIAPPEND for several, RFC 3502: all stored or none). A batch the server refuses is
   * sent again one message at a time, so only the message at fault fails.
   */
  private async send(batch: Queued[]): Promise<void> {
    const parts: (string | Buffer)[] = [`APPEND ${batch[0]!.mailbox}`];
    for (const item of batch) parts.push(item.head, item.content);
    parts.push(CRLF);
    let line: StatusLine;
    try {
      line = await this.command(...parts);
    } catch (error) {
      const failure = error as WireError;
      if (batch.length > 1 && failure.responseStatus !== undefined && this.failure === null) {
        await Promise.all(batch.map((item) => this.send([item])));
      } else {
        for (const item of batch) item.reject(failure);
      }
      return;
    }
    const uids = line.code === 'APPENDUID' ? appendUids(line.codeArgs) : null;
    // Stored without a UID for each (UIDNOTSTICKY, or a set we cannot read): the caller finds them.
    batch.forEach((item, i) => item.resolve(uids && uids.uids.length === batch.length ? { uidValidity: uids.uidValidity, uid: uids.uids[i]! } : null));
  }

  protected override fail(error: WireError): void {
    super.fail(error);
    for (const item of this.queue.splice(0)) item.reject(error);
  }
}
