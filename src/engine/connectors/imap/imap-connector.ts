/**
 * The IMAP connector (any server; tested against Dovecot 2.3). SDK: imapflow. Each account gets a small
 * pool of signed-in connections; every call borrows one, so per-mailbox concurrency is bounded by
 * `limits.concurrencyPerMailbox`. imapflow types never leave this folder.
 */
import type { ImapFlow } from 'imapflow';
import type { Connector, ConnectorLimits, MailboxRef } from '../types.js';
import { listMailboxes, loginFor, validate, type ImapSettings } from './imap-accounts.js';
import { listChanges } from './imap-changes.js';
import { ensureFolder, listFolders } from './imap-folders.js';
import { appendLimit, probeItem, readItem, readItems, updateFlags, writeItem } from './imap-items.js';
import { ImapPool } from './imap-pool.js';
import { mailboxStats } from './imap-stats.js';

const CONCURRENCY_PER_MAILBOX = 4;

export function createImapConnector(settings: ImapSettings): Connector {
  // IMAP servers rarely publish request budgets; the pool size is the real brake.
  const limits: ConnectorLimits = { concurrencyPerMailbox: CONCURRENCY_PER_MAILBOX, requestsPerWindow: 100_000, windowMs: 60_000 };
  const learnLimits = (client: ImapFlow) => {
    const limit = appendLimit(client);
    if (limit !== undefined) limits.maxItemBytes = limit;
  };
  const pool = new ImapPool({ host: settings.host, port: settings.port, tls: settings.tls }, CONCURRENCY_PER_MAILBOX, learnLimits);
  const use = <T>(mailbox: MailboxRef, doing: string, fn: (client: ImapFlow) => Promise<T>, signal?: AbortSignal): Promise<T> => {
    signal?.throwIfAborted();
    return pool.use(loginFor(settings, mailbox), fn, doing);
  };

  return {
    platform: 'imap',
    capabilities: { enumerateMailboxes: false, itemTypes: ['mail'], delta: true, createMailboxes: false },
    limits,
    validate: (signal) => validate(settings, pool, signal),
    listMailboxes: async (page, signal) => {
      signal?.throwIfAborted();
      return listMailboxes(settings, page);
    },
    mailboxStats: (mailbox, signal) => use(mailbox, 'counting the mailbox', mailboxStats, signal),
    listFolders: (mailbox, options, signal) => use(mailbox, 'listing folders', (client) => listFolders(client, options?.withStats ?? false), signal),
    ensureFolder: (mailbox, path, role, _itemType, signal) => use(mailbox, `creating folder "${path.join('/')}"`, (client) => ensureFolder(client, path, role), signal),
    listChanges: (mailbox, folder, cursor, signal) => use(mailbox, `listing folder "${folder.path.join('/')}"`, (client) => listChanges(client, folder.key, cursor), signal),
    readItem: (mailbox, folder, key, signal) => use(mailbox, `reading a message in "${folder.path.join('/')}"`, (client) => readItem(client, folder.key, key), signal),
    readItems: (mailbox, folder, keys, signal) => use(mailbox, `reading messages in "${folder.path.join('/')}"`, (client) => readItems(client, folder.key, keys), signal),
    writeItem: (mailbox, folder, item, signal) => use(mailbox, `writing a message to "${folder.path.join('/')}"`, (client) => writeItem(client, folder.key, item), signal),
    probeItem: (mailbox, folder, item, signal) => use(mailbox, `looking for a message in "${folder.path.join('/')}"`, (client) => probeItem(client, folder.key, item), signal),
    updateFlags: (mailbox, folder, key, flags, signal) => use(mailbox, `updating flags in "${folder.path.join('/')}"`, (client) => updateFlags(client, folder.key, key, flags), signal),
    close: () => pool.close(),
  };
}
