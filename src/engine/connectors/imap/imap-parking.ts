/**
 * Signed-in connections outlive the connector that opened them, for a little while. Every mailbox
 * job opens its own connectors (copy-setup.ts) and closes them when it ends; without this, each job
 * signs in anew on both sides (a Dovecot login forks a process: ~160 logins for 20 mailboxes). A
 * closing pool parks its idle connections here, keyed by server, login and password; the next pool
 * of the same account takes them back. A parked connection is logged out after PARK_MS unused, is
 * never handed out once broken, and does not keep the process alive (its socket is unref'd).
 */
import { createHash } from 'node:crypto';
import type { ImapLogin, ImapServer } from './imap-pool.js';

export interface Parkable {
  readonly usable: boolean;
  /** Whether the socket keeps the process alive. */
  setRef(ref: boolean): void;
  /** Logs out and closes. */
  close(): void;
}

interface Spot { key: string; connection: Parkable; timer: NodeJS.Timeout }

/** How long an unused connection waits for the next job of its account. */
export const PARK_MS = 10_000;
/** At most this many parked per server (servers cap sessions: Dovecot's default process limit is 100); the oldest goes first. */
export const MAX_PARKED = 48;

const lots = new Map<string, Spot[]>();
/** Parking order per server, oldest first, for the cap. */
const orders = new Map<string, Spot[]>();

/** `kind|tls|host|port|secret` → `tls|host|port`. */
function serverOf(key: string): string {
  return key.split('|').slice(1, 4).join('|');
}

function remove(key: string, spot: Spot): void {
  clearTimeout(spot.timer);
  const spots = lots.get(key);
  const at = spots?.indexOf(spot) ?? -1;
  if (spots && at >= 0) spots.splice(at, 1);
  if (spots?.length === 0) lots.delete(key);
  const order = orders.get(serverOf(key));
  const inOrder = order?.indexOf(spot) ?? -1;
  if (order && inOrder >= 0) order.splice(inOrder, 1);
  if (order?.length === 0) orders.delete(serverOf(key));
}

/** The key of an account on a server for one kind of connection; the password is in it (hashed) so a changed one never reuses a session. */
export function parkingKey(kind: string, server: ImapServer, login: ImapLogin): string {
  const secret = createHash('sha256').update(`${login.user}\0${login.password}`).digest('hex');
  return `${kind}|${server.tls ? 'tls' : 'plain'}|${server.host.toLowerCase()}|${server.port}|${secret}`;
}

export function park(key: string, connection: Parkable): void {
  if (!connection.usable) {
    connection.close();
    return;
  }
  connection.setRef(false);
  const spot: Spot = { key, connection, timer: setTimeout(() => { remove(key, spot); connection.close(); }, PARK_MS) };
  spot.timer.unref();
  const spots = lots.get(key) ?? [];
  spots.push(spot);
  lots.set(key, spots);
  const order = orders.get(serverOf(key)) ?? [];
  orders.set(serverOf(key), order);
  order.push(spot);
  while (order.length > MAX_PARKED) {
    const oldest = order[0]!;
    remove(oldest.key, oldest);
    oldest.connection.close();
  }
}

/** A parked connection of this key that still works, or undefined. */
export function unpark<T extends Parkable>(key: string): T | undefined {
  for (let spot = lots.get(key)?.at(-1); spot; spot = lots.get(key)?.at(-1)) {
    remove(key, spot);
    if (spot.connection.usable) {
      spot.connection.setRef(true);
      return spot.connection as T;
    }
    spot.connection.close();
  }
  return undefined;
}

/** Logs out every parked connection (tests; a process that wants to leave no session behind). */
export function closeParked(): void {
  for (const spot of [...orders.values()].flat()) {
    clearTimeout(spot.timer);
    spot.connection.close();
  }
  orders.clear();
  lots.clear();
}
