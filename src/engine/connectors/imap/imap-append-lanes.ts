/**
 * One pipelined appender (imap-appender.ts) per account of a connector, opened on the first write
 * and shared by every write of the account (they go back to back on its socket). A server that
 * cannot pipeline is remembered per server for the process, so its accounts go straight to imapflow.
 * Closing parks the healthy appenders for the account's next job (imap-parking.ts).
 */
import { ImapAppender } from './imap-appender.js';
import { toImapAppError } from './imap-errors.js';
import { park, parkingKey, unpark } from './imap-parking.js';
import type { ImapLogin, ImapServer } from './imap-pool.js';

const CONNECT_TIMEOUT_MS = 15_000;
/** Servers (host:port) that answered without LITERAL+/UIDPLUS, or want STARTTLS first. */
const cannotPipeline = new Set<string>();

export class AppendLanes {
  private readonly lanes = new Map<string, { key: string; appender: Promise<ImapAppender | null> }>();

  constructor(private readonly server: ImapServer) {}

  private get label(): string {
    return `${this.server.host}:${this.server.port}`;
  }

  /** The account's appender, or null when this server cannot pipeline (then use imapflow). Throws the mapped AppError. */
  async get(login: ImapLogin): Promise<ImapAppender | null> {
    if (cannotPipeline.has(this.label)) return null;
    const lane = this.lanes.get(login.address);
    if (lane) {
      const appender = await lane.appender;
      if (appender === null || appender.usable) return appender;
      // It broke (its writes failed with a connection error): the next write opens a new one.
      this.lanes.delete(login.address);
    }
    const key = parkingKey('appender', this.server, login);
    const appender = this.open(key, login);
    this.lanes.set(login.address, { key, appender });
    appender.catch(() => this.lanes.delete(login.address));
    return appender;
  }

  /** Parks the appenders that still work. */
  close(): void {
    const lanes = [...this.lanes.values()];
    this.lanes.clear();
    for (const lane of lanes) {
      lane.appender.then((appender) => appender && park(lane.key, appender), () => undefined);
    }
  }

  private async open(key: string, login: ImapLogin): Promise<ImapAppender | null> {
    const parked = unpark<ImapAppender>(key);
    if (parked) return parked;
    try {
      const appender = await ImapAppender.open(this.server, login, CONNECT_TIMEOUT_MS);
      if (appender === null) cannotPipeline.add(this.label);
      return appender;
    } catch (error) {
      throw toImapAppError(error, { address: login.address, server: this.label, doing: 'signing in' });
    }
  }
}
