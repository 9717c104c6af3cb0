/**
 * The IMAP connector (any server; tested against Dovecot 2.3). SDK: imapflow. Each account gets a small
 * pool of signed-in connections; every call borrows one, so per-account concurrency is the pool
 * size. Writes go through a pipelined appender instead (imap-appender.ts) when the server has
 * LITERAL+ and UIDPLUS: many in flight on one socket, hence a write width above the pool size. Pages
 * of whole messages are read by mailferry's own reader (imap-reader.ts), one session per account.
 * imapflow types never leave this folder.
 */
import type { ImapFlow, ListResponse } from 'imapflow';
import type { ChangePage, Connector, ConnectorLimits, FolderInfo, FolderRole, Item, MailboxRef, WriteResult } from '../types.js';
import { listMailboxes, loginFor, validate, type ImapSettings } from './imap-accounts.js';
import { ImapAppender } from './imap-appender.js';
import { listChanges, listChangesPipelined } from './imap-changes.js';
import { toImapAppError } from './imap-errors.js';
import { ensureFolder, listAll, listFolders } from './imap-folders.js';
import { appendLimit, appendPipelined, findWritten, probeItem, readItem, readItems, readItemsPipelined, updateFlags, writeItem } from './imap-items.js';
import { SessionLanes } from './imap-lanes.js';
import { ImapPool } from './imap-pool.js';
import { ImapReader } from './imap-reader.js';
import { mailboxStats } from './imap-stats.js';

/** imapflow connections per account (each runs one command at a time). */
const CONNECTIONS_PER_ACCOUNT = 4;
/** Items in flight per mailbox: writes pipelined on the appender's socket, other calls queue for the pool. */
const CONCURRENCY_PER_MAILBOX = 64;

export function createImapConnector(settings: ImapSettings): Connector {
  // IMAP servers rarely publish request budgets; the pool size is the real brake.
  const limits: ConnectorLimits = { concurrencyPerMailbox: CONCURRENCY_PER_MAILBOX, requestsPerWindow: 100_000, windowMs: 60_000 };
  const learnLimits = (client: ImapFlow) => {
    const limit = appendLimit(client);
    if (limit !== undefined) limits.maxItemBytes = limit;
  };
  const server = { host: settings.host, port: settings.port, tls: settings.tls };
  const pool = new ImapPool(server, CONNECTIONS_PER_ACCOUNT, learnLimits);
  const lanes = new SessionLanes(server, 'appender', ImapAppender.open);
  const readers = new SessionLanes(server, 'reader', ImapReader.open);
  const use = <T>(mailbox: MailboxRef, doing: string, fn: (client: ImapFlow) => Promise<T>, signal?: AbortSignal): Promise<T> => {
    signal?.throwIfAborted();
    return pool.use(loginFor(settings, mailbox), fn, doing);
  };
  /** The appender when the server has one for this account, else (or for an item it cannot carry) imapflow's APPEND. */
  const write = async (mailbox: MailboxRef, folder: FolderInfo, item: Item, signal?: AbortSignal): Promise<WriteResult> => {
    signal?.throwIfAborted();
    const login = loginFor(settings, mailbox);
    const doing = `writing a message to "${folder.path.join('/')}"`;
    const appender = await lanes.get(login);
    if (appender) {
      const written = await appendPipelined(appender, folder.key, item).catch((error: unknown) => {
        throw toImapAppError(error, { address: login.address, server: pool.label, doing });
      });
      if (written === 'written-no-uid') return use(mailbox, doing, (client) => findWritten(client, folder.key, item));
      if (written !== 'not-sent') return written;
    }
    return use(mailbox, doing, (client) => writeItem(client, folder.key, item), signal);
  };
  /**
   * A call through the account's reader session (imap-reader.ts), else imapflow: when the server
   * cannot serve a reader, or `fast` answers null (a folder name the reader cannot send).
   */
  const viaReader = async <T>(mailbox: MailboxRef, doing: string, fast: (reader: ImapReader) => Promise<T | null>, slow: (client: ImapFlow) => Promise<T>, signal?: AbortSignal): Promise<T> => {
    signal?.throwIfAborted();
    const login = loginFor(settings, mailbox);
    const reader = await readers.get(login);
    if (reader) {
      const result = await fast(reader).catch((error: unknown) => {
        throw toImapAppError(error, { address: login.address, server: pool.label, doing });
      });
      if (result !== null) return result;
    }
    return use(mailbox, doing, slow, signal);
  };
  const read = (mailbox: MailboxRef, folder: FolderInfo, keys: string[], signal?: AbortSignal): Promise<Item[]> =>
    viaReader(mailbox, `reading messages in "${folder.path.join('/')}"`, (reader) => readItemsPipelined(reader, folder.key, keys), (client) => readItems(client, folder.key, keys), signal);
  const changes = (mailbox: MailboxRef, folder: FolderInfo, cursor: string | undefined, signal?: AbortSignal): Promise<ChangePage> =>
    viaReader(mailbox, `listing folder "${folder.path.join('/')}"`, (reader) => listChangesPipelined(reader, folder.key, cursor), (client) => listChanges(client, folder.key, cursor), signal);

  /**
   * Each account's LIST as last seen by this connector (one job's), so that creating a mailbox's
   * folders lists once, not once per folder; dropped as soon as a folder was created.
   */
  const lists = new Map<string, ListResponse[]>();
  const folders = (mailbox: MailboxRef, withStats: boolean, signal?: AbortSignal) => use(mailbox, 'listing folders', async (client) => {
    if (withStats) return listFolders(client, true);
    const listed = lists.get(mailbox.address) ?? await listAll(client);
    lists.set(mailbox.address, listed);
    return listFolders(client, false, listed);
  }, signal);
  const ensure = (mailbox: MailboxRef, path: string[], role: FolderRole, signal?: AbortSignal) => use(mailbox, `creating folder "${path.join('/')}"`, async (client) => {
    const listed = lists.get(mailbox.address) ?? await listAll(client);
    const { folder, created } = await ensureFolder(client, path, role, listed);
    if (created) lists.delete(mailbox.address); else lists.set(mailbox.address, listed);
    return folder;
  }, signal);

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
    listFolders: (mailbox, options, signal) => folders(mailbox, options?.withStats ?? false, signal),
    ensureFolder: (mailbox, path, role, _itemType, signal) => ensure(mailbox, path, role, signal),
    listChanges: changes,
    readItem: (mailbox, folder, key, signal) => use(mailbox, `reading a message in "${folder.path.join('/')}"`, (client) => readItem(client, folder.key, key), signal),
    readItems: read,
    writeItem: write,
    probeItem: (mailbox, folder, item, signal) => use(mailbox, `looking for a message in "${folder.path.join('/')}"`, (client) => probeItem(client, folder.key, item), signal),
    updateFlags: (mailbox, folder, key, flags, signal) => use(mailbox, `updating flags in "${folder.path.join('/')}"`, (client) => updateFlags(client, folder.key, key, flags), signal),
    close: () => {
      lanes.close();
      readers.close();
      return pool.close();
    },
  };
}
