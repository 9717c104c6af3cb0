/**
 * One session of mailferry's own (imap-pipelined.ts) per account and kind, opened on first use and
 * shared by every call of the account: the appender's writes go back to back on its socket, the
 * reader's fetches one after another. A server that cannot serve a kind is remembered per server for
 * the process, so its accounts go straight to imapflow. Closing parks the healthy sessions for the
 * account's next job (imap-parking.ts).
 */
import { toImapAppError } from './imap-errors.js';
import { park, parkingKey, unpark } from './imap-parking.js';
import type { PipelinedSession } from './imap-pipelined.js';
import type { ImapLogin, ImapServer } from './imap-pool.js';

const CONNECT_TIMEOUT_MS = 15_000;
/** `kind|host:port` of servers that answered without what the kind needs, or want STARTTLS first. */
const cannotServe = new Set<string>();

type Opener<T> = (server: ImapServer, login: ImapLogin, timeoutMs: number) => Promise<T | null>;

export class SessionLanes<T extends PipelinedSession> {
  private readonly lanes = new Map<string, { key: string; session: Promise<T | null> }>();

  constructor(private readonly server: ImapServer, private readonly kind: 'appender' | 'reader', private readonly openSession: Opener<T>) {}

  private get label(): string {
    return `${this.server.host}:${this.server.port}`;
  }

  /** The account's session, or null when this server cannot serve this kind (then use imapflow). Throws the mapped AppError. */
  async get(login: ImapLogin): Promise<T | null> {
    if (cannotServe.has(`${this.kind}|${this.label}`)) return null;
    const lane = this.lanes.get(login.address);
    if (lane) {
      const session = await lane.session;
      if (session === null || session.usable) return session;
      // It broke (its calls failed with a connection error): the next call opens a new one.
      this.lanes.delete(login.address);
    }
    const key = parkingKey(this.kind, this.server, login);
    const session = this.open(key, login);
    this.lanes.set(login.address, { key, session });
    session.catch(() => this.lanes.delete(login.address));
    return session;
  }

  /** Parks the sessions that still work. */
  close(): void {
    const lanes = [...this.lanes.values()];
    this.lanes.clear();
    for (const lane of lanes) {
      lane.session.then((session) => session && park(lane.key, session), () => undefined);
    }
  }

  private async open(key: string, login: ImapLogin): Promise<T | null> {
    const parked = unpark<T>(key);
    if (parked) return parked;
    try {
      const session = await this.openSession(this.server, login, CONNECT_TIMEOUT_MS);
      if (session === null) cannotServe.add(`${this.kind}|${this.label}`);
      return session;
    } catch (error) {
      throw toImapAppError(error, { address: login.address, server: this.label, doing: 'signing in' });
    }
  }
}
