import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeParked, MAX_PARKED, park, PARK_MS, parkingKey, unpark, type Parkable } from './imap-parking.js';

function fake(): Parkable & { closed: number; refs: boolean[]; broken: boolean } {
  const conn = {
    closed: 0, refs: [] as boolean[], broken: false,
    get usable() { return !conn.broken && conn.closed === 0; },
    setRef(ref: boolean) { conn.refs.push(ref); },
    close() { conn.closed++; },
  };
  return conn;
}

const server = { host: 'imap.example.com', port: 993, tls: true };
const login = { address: 'a@example.com', user: 'a@example.com', password: 'pw-1' };

afterEach(() => {
  closeParked();
  vi.useRealTimers();
});

describe('parking signed-in IMAP connections between jobs', () => {
  it('hands a parked connection to the next user of the same account only', () => {
    const key = parkingKey('imapflow', server, login);
    const conn = fake();
    park(key, conn);
    expect(conn.refs).toEqual([false]);
    expect(unpark(parkingKey('imapflow', server, { ...login, password: 'changed' }))).toBeUndefined();
    expect(unpark(parkingKey('appender', server, login))).toBeUndefined();
    expect(unpark(parkingKey('imapflow', { ...server, port: 143 }, login))).toBeUndefined();
    expect(unpark(key)).toBe(conn);
    expect(conn.refs).toEqual([false, true]);
    expect(unpark(key)).toBeUndefined();
    expect(conn.closed).toBe(0);
  });

  it('never hands out a connection that broke while parked, and closes it', () => {
    const key = parkingKey('imapflow', server, login);
    const conn = fake();
    park(key, conn);
    conn.broken = true;
    expect(unpark(key)).toBeUndefined();
    expect(conn.closed).toBe(1);
  });

  it('logs a connection out once it waited PARK_MS unused', () => {
    vi.useFakeTimers();
    const key = parkingKey('imapflow', server, login);
    const conn = fake();
    park(key, conn);
    vi.advanceTimersByTime(PARK_MS - 1);
    expect(conn.closed).toBe(0);
    vi.advanceTimersByTime(1);
    expect(conn.closed).toBe(1);
    expect(unpark(key)).toBeUndefined();
  });

  it('keeps at most MAX_PARKED per server, logging the oldest out first', () => {
    const conns = Array.from({ length: MAX_PARKED + 2 }, (_, i) => {
      const conn = fake();
      park(parkingKey('imapflow', server, { ...login, address: `u${i}@example.com`, user: `u${i}@example.com` }), conn);
      return conn;
    });
    expect(conns.map((c) => c.closed)).toEqual(conns.map((_, i) => (i < 2 ? 1 : 0)));
    expect(unpark(parkingKey('imapflow', server, { ...login, address: 'u0@example.com', user: 'u0@example.com' }))).toBeUndefined();
    expect(unpark(parkingKey('imapflow', server, { ...login, address: 'u2@example.com', user: 'u2@example.com' }))).toBe(conns[2]);
    const elsewhere = fake();
    park(parkingKey('imapflow', { ...server, host: 'other.example.com' }, login), elsewhere);
    expect(conns[3]!.closed).toBe(0);
  });
});
