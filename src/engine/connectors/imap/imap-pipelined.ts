/**
 * A signed-in IMAP session on its own socket that mailferry drives itself, for the two hot paths
 * where imapflow costs the most: writes (imap-appender.ts: many APPENDs in flight) and reads
 * (imap-reader.ts: UID FETCH of whole messages, parsed without building imapflow's objects). It
 * signs in, sends tagged commands (text and LITERAL+ bytes), and reads responses as a stream: each
 * response's text lines and literals, a literal copied once into a buffer of its announced size.
 * Servers that want STARTTLS first, or lack what a subclass needs (`serves`), get no session: the
 * caller keeps imapflow.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ImapLogin, ImapServer } from './imap-pool.js';
import { capabilitySet, parseStatusLine, quoted, type StatusLine } from './imap-wire.js';

/** Shaped like imapflow's errors, so toImapAppError maps both the same way. */
export interface WireError extends Error {
  code?: string;
  responseStatus?: string;
  responseText?: string;
  serverResponseCode?: string;
  authenticationFailed?: boolean;
  mailboxMissing?: boolean;
}

export function wireError(message: string, fields: Omit<WireError, 'name' | 'message'>): WireError {
  return Object.assign(new Error(message), fields);
}

export function commandError(line: StatusLine): WireError {
  return wireError(`${line.status} ${line.text}`, {
    responseStatus: line.status, responseText: line.text, serverResponseCode: line.code,
    ...(line.code === 'TRYCREATE' || line.code === 'NONEXISTENT' ? { mailboxMissing: true } : {}),
  });
}

/**
 * One server response: its text lines (the first is the response line; a line ending in `{n}` is
 * followed by literal n, then the next line) and its literals, in order.
 */
export interface Response { lines: string[]; literals: Buffer[] }

interface Pending { resolve(line: StatusLine): void; reject(error: WireError): void }

/** How long a command may go without a byte from the server before the connection counts as dead. */
const SILENCE_TIMEOUT_MS = 120_000;
/** A literal announced larger than this is a broken or hostile server, not a message. */
const MAX_LITERAL = 1024 * 1024 * 1024;
/** A response line (not its literals) longer than this likewise. */
const MAX_LINE = 1024 * 1024;

export abstract class PipelinedSession {
  protected capabilities = new Set<string>();
  protected failure: WireError | null = null;
  private readonly pending = new Map<string, Pending>();
  private tagCounter = 0;
  private onGreeting: ((line: string) => void) | null = null;
  // Stream state: the text of the line being read, and the literal being filled.
  private lineParts: Buffer[] = [];
  private lineBytes = 0;
  private response: Response = { lines: [], literals: [] };
  private literal: { buffer: Buffer; filled: number } | null = null;

  constructor(protected readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(wireError(`connection error: ${error.message}`, { code: error.code ?? 'ECONNRESET' })));
    socket.on('close', () => this.fail(wireError('connection closed', { code: 'EConnectionClosed' })));
    socket.on('timeout', () => {
      if (this.pending.size > 0) socket.destroy(wireError('the server stopped answering', { code: 'ETIMEDOUT' }));
    });
  }

  /** Connects and signs in; null when the server lacks what the session needs. Throws (imapflow-shaped) on failures. */
  protected static async connect<T extends PipelinedSession>(make: (socket: Socket) => T, server: ImapServer, login: ImapLogin, timeoutMs: number): Promise<T | null> {
    const socket = server.tls
      ? tlsConnect({ host: server.host, port: server.port, ...(isIP(server.host) ? {} : { servername: server.host }) })
      : netConnect({ host: server.host, port: server.port });
    const session = make(socket);
    const deadline = setTimeout(() => socket.destroy(wireError('the server did not answer in time', { code: 'CONNECT_TIMEOUT' })), timeoutMs);
    try {
      const ready = await session.start(server, login);
      if (!ready) session.close();
      return ready ? session : null;
    } catch (error) {
      session.close();
      throw error;
    } finally {
      clearTimeout(deadline);
    }
  }

  /** Whether the signed-in server can do what this kind of session needs (capabilities are known then). */
  protected abstract serves(): boolean;

  /** An untagged response (`* …`) or one for no pending command. */
  protected abstract onUntagged(response: Response): void;

  /** False once the connection failed or was closed: never hand it out again. */
  get usable(): boolean {
    return this.failure === null && !this.socket.destroyed;
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
    return this.serves();
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
  protected command(...parts: (string | Buffer)[]): Promise<StatusLine> {
    return this.commands([parts])[0]!;
  }

  /**
   * Sends several commands in one write (pipelined: the server runs them in order) and resolves each
   * with its tagged OK. Each may fail on its own.
   */
  protected commands(list: (string | Buffer)[][]): Promise<StatusLine>[] {
    if (this.failure) {
      const failure = this.failure;
      return list.map(() => Promise.reject(failure));
    }
    this.socket.cork();
    const results = list.map((parts) => {
      const tag = `W${++this.tagCounter}`;
      const result = new Promise<StatusLine>((resolve, reject) => this.pending.set(tag, { resolve, reject }));
      this.socket.write(`${tag} `);
      for (const part of parts) this.socket.write(part);
      return result;
    });
    this.socket.setTimeout(SILENCE_TIMEOUT_MS);
    this.socket.uncork();
    return results;
  }

  /** Reads the stream: text up to LF, then any announced literal copied into a buffer of its size. */
  private onData(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.literal) {
        const { buffer } = this.literal;
        const take = Math.min(buffer.length - this.literal.filled, chunk.length - at);
        chunk.copy(buffer, this.literal.filled, at, at + take);
        this.literal.filled += take;
        at += take;
        if (this.literal.filled === buffer.length) {
          this.response.literals.push(buffer);
          this.literal = null;
        }
        continue;
      }
      const lf = chunk.indexOf(10, at);
      if (lf < 0) {
        this.lineParts.push(chunk.subarray(at));
        this.lineBytes += chunk.length - at;
        if (this.lineBytes > MAX_LINE) this.socket.destroy(wireError('the server sent a response line that never ends', { code: 'EProtocol' }));
        return;
      }
      const piece = chunk.subarray(at, lf);
      const bytes = this.lineParts.length === 0 ? piece : Buffer.concat([...this.lineParts, piece]);
      this.lineParts = [];
      this.lineBytes = 0;
      at = lf + 1;
      const text = bytes.toString('utf8', 0, bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length);
      this.response.lines.push(text);
      const announced = /\{(\d+)\+?\}$/.exec(text.slice(-24));
      if (announced) {
        const size = Number(announced[1]);
        if (size > MAX_LITERAL) {
          this.socket.destroy(wireError(`the server announced a ${size}-byte literal`, { code: 'EProtocol' }));
          return;
        }
        if (size === 0) this.response.literals.push(Buffer.alloc(0));
        else this.literal = { buffer: Buffer.allocUnsafe(size), filled: 0 };
        continue;
      }
      const response = this.response;
      this.response = { lines: [], literals: [] };
      this.onResponse(response);
    }
  }

  private onResponse(response: Response): void {
    const first = response.lines[0]!;
    if (this.onGreeting) {
      const greet = this.onGreeting;
      this.onGreeting = null;
      greet(first);
      return;
    }
    if (first.startsWith('* CAPABILITY ')) this.capabilities = capabilitySet(first.slice('* CAPABILITY '.length));
    const status = response.literals.length === 0 ? parseStatusLine(first) : null;
    const waiting = status && status.tag !== '*' && status.tag !== '+' ? this.pending.get(status.tag) : undefined;
    if (!status || !waiting) {
      if (first.startsWith('* ')) this.onUntagged(response);
      return;
    }
    this.pending.delete(status.tag);
    if (this.pending.size === 0) this.socket.setTimeout(0);
    if (status.status === 'OK') waiting.resolve(status);
    else waiting.reject(commandError(status));
  }

  protected fail(error: WireError): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
