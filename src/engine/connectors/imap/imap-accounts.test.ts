import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors.js';
import { listMailboxes, loginFor, mailboxRef, type ImapSettings } from './imap-accounts.js';

const settings: ImapSettings = {
  platform: 'imap',
  host: 'Mail.Example.com',
  port: 993,
  tls: true,
  mailboxes: ['Ann@Example.com', 'bob@example.com', 'cy@example.com'].map((address) => ({ address, password: `${address}-pw` })),
};

describe('IMAP account list', () => {
  it('identifies a mailbox by host and normalised address', () => {
    expect(mailboxRef(settings, ' Ann@Example.com ')).toEqual({ id: 'imap:mail.example.com:ann@example.com', address: 'ann@example.com', displayName: 'ann', kind: 'user' });
  });

  it('pages the account list with an offset token', () => {
    const first = listMailboxes(settings, undefined, 2);
    expect(first.mailboxes.map((m) => m.address)).toEqual(['ann@example.com', 'bob@example.com']);
    expect(first.nextPage).toBe('2');
    const last = listMailboxes(settings, first.nextPage, 2);
    expect(last).toEqual({ mailboxes: [mailboxRef(settings, 'cy@example.com')] });
    expect(() => listMailboxes(settings, 'abc')).toThrow(AppError);
  });

  it('logs in with the account password, or as address*master with the master password', () => {
    expect(loginFor(settings, { address: 'ann@example.com' })).toEqual({ address: 'ann@example.com', user: 'Ann@Example.com', password: 'Ann@Example.com-pw' });
    const master = { ...settings, masterUser: { user: 'admin', password: 'master-pw' } };
    expect(loginFor(master, { address: 'BOB@example.com' })).toEqual({ address: 'bob@example.com', user: 'bob@example.com*admin', password: 'master-pw' });
    expect(() => loginFor(settings, { address: 'zed@example.com' })).toThrow(/not in this IMAP connection's account list/);
  });
});
