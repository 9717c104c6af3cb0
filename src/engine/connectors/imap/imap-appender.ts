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
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ImapLogin, ImapServer } from './imap-pool.js';
import { appendUids, capabilitySet, encodeMailboxName, flagList, imapDateTime, parseStatusLine, quoted, type StatusLine } from './imap-wire.js';

/** Shaped like imapflow's errors, so toImapAppError maps both the same way. */
export interface WireError extends Error {
  code?: string;
  responseStatus?: string;
  responseText?: string;
  serverResponseCode?: string;
  authenticationFailed?: boolean;
  mailboxMissing?: boolean;
}

function wireError(message: string, fields: Omit<WireError, 'name' | 'message'>): WireError {
  return Object.assign(new Error(message), fields);
}

function commandError(line: StatusLine): WireError {
  return wireError(`${line.status} ${line.text}`, {
    responseStatus: line.status, responseText: line.text, serverResponseCode: line.code,
    ...(line.code === 'TRYCREATE' || line.code === 'NONEXISTENT' ? { mailboxMissing: true } : {}),
  });
}

interface Pending { resolve(line: StatusLine): void; reject(error: WireError): void }

/** A message waiting for its APPEND: `head` is ` (flags) "date" {n+}\r\n`, `mailbox` quoted and encoded. */
interface Queued { mailbox: string; head: string; content: Buffer; resolve(result: AppendResult): void; reject(error: WireError): void }

/** What a write gave: the new message's UID, or nothing when the server did not say (UIDNOTSTICKY). */
export type AppendResult = { uidValidity: string; uid: number } | null;

/** How long a command may go without a byte from the server before the connection counts as dead. */
const SILENCE_TIMEOUT_MS = 120_000;
const CRLF = Buffer.from('\r\n');
/**
 * Commands in flight at once: while they run, new messages gather into the next MULTIAPPEND. Two, so
 * the server always has the next batch when it finishes one.
 */
const MAX_IN_FLIGHT = 2;
/** Messages and bytes per MULTIAPPEND: one server transaction per batch (Dovecot: a maildir/index commit each). */
export const MAX_BATCH = 50;
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

export class ImapAppender {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending = new Map<string, Pending>();
  private capabilities = new Set<string>();
  private tagCounter = 0;
  private failure: WireError | null = null;
  private onGreeting: ((line: string) => void) | null = null;
  private readonly queue: Queued[] = [];
  private inFlight = 0;
  private flushing = false;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(wireError(`connection error: ${error.message}`, { code: error.code ?? 'ECONNRESET' })));
    socket.on('close', () => this.fail(wireError('connection closed', { code: 'EConnectionClosed' })));
    socket.on('timeout', () => {
      if (this.pending.size > 0) socket.destroy(wireError('the server stopped answering', { code: 'ETIMEDOUT' }));
    });
  }

  /** Signs in on a new connection; null when the server lacks what pipelining needs. Throws (imapflow-shaped) on failures. */
  static async open(server: ImapServer, login: ImapLogin, timeoutMs: number): Promise<ImapAppender | null> {
    const socket = server.tls
      ? tlsConnect({ host: server.host, port: server.port, ...(isIP(server.host) ? {} : { servername: server.host }) })
      : netConnect({ host: server.host, port: server.port });
    const appender = new ImapAppender(socket);
    const deadline = setTimeout(() => socket.destroy(wireError('the server did not answer in time', { code: 'CONNECT_TIMEOUT' })), timeoutMs);
    try {
      const ready = await appender.start(server, login);
      if (!ready) appender.close();
      return ready ? appender : null;
    } catch (error) {
      appender.close();
      throw error;
    } finally {
      clearTimeout(deadline);
    }
  }

  /** False once the connection failed or was closed: never hand it out again. */
  get usable(): boolean {
    return this.failure === null && !this.socket.destroyed;
  }

  /** The server's APPENDLIMIT (RFC 7889), when it gives one. */
  get appendLimit(): number | undefined {
    for (const capability of this.capabilities) {
      const match = /^APPENDLIMIT=(\d+)$/.exec(capability);
      if (match) return Number(match[1]);
    }
    return undefined;
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

  /** Logs out (best effort) and closes; commands still in flight are rejected. */
  close(): void {
    if (!this.socket.destroyed && this.failure === null && this.capabilities.size > 0) this.socket.end(`L${++this.tagCounter} LOGOUT\r\n`);
    this.fail(wireError('connection closed by mailferry', { code: 'EConnectionClosed' }));
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Keeps the process from waiting for this socket while it sits unused (see imap-parking.ts). */
  setRef(ref: boolean): void {
    if (ref) this.socket.ref(); else this.socket.unref();
  }

  private async start(server: ImapServer, login: ImapLogin): Promise<boolean> {
    const greeting = parseStatusLine(await new Promise<string>((resolve, reject) => {
      this.onGreeting = resolve;
      this.socket.once('close', () => reject(this.failure ?? wireError('connection closed', { code: 'EConnectionClosed' })));
    }));
    if (!greeting || greeting.tag !== '*' || greeting.status === 'BYE') throw wireError('the server refused the connection', { code: 'ClosedAfterConnectText' });
    if (greeting.code === 'CAPABILITY') this.capabilities = capabilitySet(greeting.codeArgs ?? '');
    else await this.command('CAPABILITY\r\n');
    if (greeting.status !== 'PREAUTH') {
      // Opportunistic STARTTLS is imapflow's job: a clear-text session where the server offers TLS stays with imapflow.
      if (!server.tls && this.capabilities.has('STARTTLS')) return false;
      const signedIn = await this.authenticate(login);
      if (!signedIn) return false;
      if (signedIn.code === 'CAPABILITY') this.capabilities = capabilitySet(signedIn.codeArgs ?? '');
      else await this.command('CAPABILITY\r\n');
    }
    return this.capabilities.has('LITERAL+') && this.capabilities.has('UIDPLUS');
  }

  /** SASL PLAIN with an initial response when offered, else LOGIN with quoted strings; null when neither can carry these credentials. */
  private async authenticate(login: ImapLogin): Promise<StatusLine | null> {
    let command: string;
    if (this.capabilities.has('AUTH=PLAIN') && this.capabilities.has('SASL-IR')) {
      command = `AUTHENTICATE PLAIN ${Buffer.from(`\0${login.user}\0${login.password}`).toString('base64')}\r\n`;
    } else {
      const user = quoted(login.user);
      const password = quoted(login.password);
      if (user === null || password === null || this.capabilities.has('LOGINDISABLED')) return null;
      command = `LOGIN ${user} ${password}\r\n`;
    }
    try {
      return await this.command(command);
    } catch (error) {
      const failure = error as WireError;
      if (failure.responseStatus === 'NO') failure.authenticationFailed = true;
      throw failure;
    }
  }

  /** Sends `TAG <parts>` (text and LITERAL+ bytes, ending in CRLF) and resolves with its tagged OK. */
  private command(...parts: (string | Buffer)[]): Promise<StatusLine> {
    if (this.failure) return Promise.reject(this.failure);
    const tag = `W${++this.tagCounter}`;
    return new Promise<StatusLine>((resolve, reject) => {
      this.pending.set(tag, { resolve, reject });
      if (this.pending.size === 1) this.socket.setTimeout(SILENCE_TIMEOUT_MS);
      this.socket.cork();
      this.socket.write(`${tag} `);
      for (const part of parts) this.socket.write(part);
      this.socket.uncork();
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

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const line = this.takeLine();
      if (line === null) return;
      this.onLine(line);
    }
  }

  /** The next complete response line (with any literals it carries inlined), or null until more bytes come. */
  private takeLine(): string | null {
    let at = 0;
    for (;;) {
      const end = this.buffer.indexOf(CRLF, at);
      if (end < 0) return null;
      const literal = /\{(\d+)\}$/.exec(this.buffer.toString('latin1', Math.max(at, end - 24), end));
      if (!literal) break;
      // A literal inside a response (unsolicited data we do not use): skip its bytes, read on.
      at = end + 2 + Number(literal[1]);
      if (at > this.buffer.length) return null;
    }
    const end = this.buffer.indexOf(CRLF, at);
    const line = this.buffer.toString('utf8', 0, end);
    this.buffer = this.buffer.subarray(end + 2);
    return line;
  }

  private onLine(line: string): void {
    if (this.onGreeting) {
      const greet = this.onGreeting;
      this.onGreeting = null;
      greet(line);
      return;
    }
    const status = parseStatusLine(line);
    if (line.startsWith('* CAPABILITY ')) this.capabilities = capabilitySet(line.slice('* CAPABILITY '.length));
    if (!status || status.tag === '*' || status.tag === '+') return;
    const waiting = this.pending.get(status.tag);
    if (!waiting) return;
    this.pending.delete(status.tag);
    if (this.pending.size === 0) this.socket.setTimeout(0);
    if (status.status === 'OK') waiting.resolve(status);
    else waiting.reject(commandError(status));
  }

  private fail(error: WireError): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
    for (const item of this.queue.splice(0)) item.reject(error);
  }
}
