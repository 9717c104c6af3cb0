/**
 * A few authenticated imapflow connections per account, reused across calls. A connection serves one
 * call at a time (imapflow has one selected mailbox per connection), so per-account concurrency is the
 * pool size; extra callers wait in line. Broken connections are dropped, never handed out again.
 * Closing the pool parks its healthy connections (imap-parking.ts) for the next pool of the account.
 */
import { ImapFlow } from 'imapflow';
import { AppError } from '../../../errors.js';
import { toImapAppError } from './imap-errors.js';
import { park, parkingKey, unpark, type Parkable } from './imap-parking.js';

export interface ImapServer {
  host: string;
  port: number;
  tls: boolean;
}

export interface ImapLogin {
  /** The account's address as given by the admin. */
  address: string;
  /** What goes on the wire: the address, or `address*master` for a Dovecot master user. */
  user: string;
  password: string;
}

interface AccountPool {
  idle: ImapFlow[];
  open: number;
  waiters: (() => void)[];
  /** Where its connections park (imap-parking.ts). */
  key: string;
}

const CONNECT_TIMEOUT_MS = 15_000;

export class ImapPool {
  private readonly accounts = new Map<string, AccountPool>();
  private closed = false;

  constructor(
    private readonly server: ImapServer,
    private readonly size: number,
    /** Called with each new connection once signed in (to learn APPENDLIMIT and the like). */
    private readonly onConnect: (client: ImapFlow) => void = () => {},
  ) {}

  get label(): string {
    return `${this.server.host}:${this.server.port}`;
  }

  /** Signs in once (the connection is parked for whoever works on the account next); throws the mapped AppError. */
  async check(login: ImapLogin): Promise<void> {
    const client = await this.connect(login);
    park(this.key(login), parkable(client));
  }

  /** Runs `fn` with a connection of this account; the connection returns to the pool afterwards. */
  async use<T>(login: ImapLogin, fn: (client: ImapFlow) => Promise<T>, doing?: string): Promise<T> {
    const client = await this.acquire(login);
    let healthy = true;
    try {
      return await fn(client);
    } catch (error) {
      healthy = client.usable;
      throw toImapAppError(error, { address: login.address, server: this.label, doing });
    } finally {
      this.release(login.address, client, healthy && client.usable);
    }
  }

  /** Parks every idle connection (logged out later if nobody takes it); the pool refuses work afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.accounts.values()];
    // Waiters wake up, see the pool closed and fail instead of hanging.
    for (const pool of pools) pool.waiters.splice(0).forEach((wake) => wake());
    for (const pool of pools) for (const client of pool.idle.splice(0)) park(pool.key, parkable(client));
    this.accounts.clear();
    await Promise.resolve();
  }

  private key(login: ImapLogin): string {
    return parkingKey('imapflow', this.server, login);
  }

  private pool(login: ImapLogin): AccountPool {
    let pool = this.accounts.get(login.address);
    if (!pool) {
      pool = { idle: [], open: 0, waiters: [], key: this.key(login) };
      this.accounts.set(login.address, pool);
    }
    return pool;
  }

  private async acquire(login: ImapLogin): Promise<ImapFlow> {
    const pool = this.pool(login);
    for (;;) {
      if (this.closed) throw new AppError('CONNECTION_FAILED', 'This IMAP connection was closed. Start the operation again.');
      const idle = pool.idle.pop();
      if (idle?.usable) return idle;
      if (idle) {
        pool.open--;
        continue;
      }
      if (pool.open < this.size) {
        pool.open++;
        const parked = unpark<ParkedFlow>(pool.key);
        if (parked) {
          this.onConnect(parked.client);
          return parked.client;
        }
        try {
          return await this.connect(login);
        } catch (error) {
          pool.open--;
          pool.waiters.shift()?.();
          throw error;
        }
      }
      // Woken when a connection comes back or a slot frees up; then look again.
      await new Promise<void>((resolve) => pool.waiters.push(resolve));
    }
  }

  private release(address: string, client: ImapFlow, healthy: boolean): void {
    const pool = this.accounts.get(address);
    if (!pool || this.closed) {
      void client.logout().catch(() => client.close());
      return;
    }
    if (healthy) {
      pool.idle.push(client);
    } else {
      pool.open--;
      client.close();
    }
    pool.waiters.shift()?.();
  }

  private async connect(login: ImapLogin): Promise<ImapFlow> {
    const client = new ImapFlow({
      host: this.server.host,
      port: this.server.port,
      secure: this.server.tls,
      auth: { user: login.user, pass: login.password },
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: CONNECT_TIMEOUT_MS,
      greetingTimeout: CONNECT_TIMEOUT_MS,
      clientInfo: { name: 'mailferry' },
    });
    // imapflow emits 'error' for socket failures after connect; unhandled, it would crash the process.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      client.close();
      throw toImapAppError(error, { address: login.address, server: this.label, doing: 'signing in' });
    }
    this.onConnect(client);
    return client;
  }
}

interface ParkedFlow extends Parkable { client: ImapFlow }

/** imapflow keeps its socket to itself; reaching it is only for ref/unref while parked. */
function socketOf(client: ImapFlow): { ref?(): void; unref?(): void } | undefined {
  return (client as unknown as { socket?: { ref?(): void; unref?(): void } }).socket;
}

function parkable(client: ImapFlow): ParkedFlow {
  return {
    client,
    get usable() { return client.usable; },
    setRef(ref) {
      const socket = socketOf(client);
      if (ref) socket?.ref?.(); else socket?.unref?.();
    },
    close() { void client.logout().catch(() => client.close()); },
  };
}
