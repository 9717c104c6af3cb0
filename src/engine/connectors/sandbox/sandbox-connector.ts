import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../../errors.js';
import type {
  ChangePage, Connector, Cursor, FolderInfo, FolderRole, Item, ItemType, MailboxPage, MailboxRef, MailboxStats, ValidationResult, WriteResult,
} from '../types.js';
import {
  SANDBOX_FOLDERS, folderItemCount, sandboxFolderInfo, sandboxItem, sandboxMailboxes, unitHash, type SandboxFolder, type SandboxShape,
} from './sandbox-tenant.js';
import { journalFor, type SandboxJournal } from './sandbox-journal.js';

export type SandboxSettings = Extract<import('../types.js').ConnectionSettings, { platform: 'sandbox' }>;

const PAGE_SIZE = 10;
const CHANGES_PAGE = 100;

/** The tenant's journal of writes: same settings, same tenant (and, with a data dir, the same across processes). */
function journalOf(settings: SandboxSettings): SandboxJournal {
  return journalFor(JSON.stringify([settings.seed, settings.domain, settings.mailboxes, settings.messagesPerMailbox]));
}

/** Whether the sandbox fails `op` for this mailbox every time (failureRate is per mailbox, deterministic). */
export function sandboxWillFail(settings: SandboxSettings, address: string, op: string): boolean {
  return (settings.failureRate ?? 0) > 0 && unitHash(settings.seed, 'fail', address, op) < (settings.failureRate ?? 0);
}

function abortable(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AppError('CONNECTION_FAILED', 'The request was cancelled.'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function createSandboxConnector(settings: SandboxSettings): Connector {
  const shape: SandboxShape = settings;
  const journal = journalOf(settings);
  const all = sandboxMailboxes(shape);
  let calls = 0;

  /** Latency, then throttling (transient) and failure (per mailbox) injection. */
  async function gate(op: string, mailbox: MailboxRef | undefined, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new AppError('CONNECTION_FAILED', 'The request was cancelled.');
    await abortable(settings.latencyMs ?? 0, signal);
    calls += 1;
    if ((settings.throttleRate ?? 0) > 0 && unitHash(settings.seed, 'throttle', op, mailbox?.address ?? '', calls) < (settings.throttleRate ?? 0)) {
      throw new AppError('THROTTLED', 'The sandbox asked us to slow down.', { retryAfterMs: 50 });
    }
    if (mailbox && sandboxWillFail(settings, mailbox.address, op)) {
      throw new AppError('CONNECTION_FAILED', `The sandbox failed ${op} for ${mailbox.address} on purpose (failureRate ${settings.failureRate}).`);
    }
  }

  const positions = new Map(all.map((m, i) => [m.id, i + 1]));
  function indexOf(mailbox: MailboxRef): number {
    const n = positions.get(mailbox.id);
    if (n === undefined) throw new AppError('NOT_FOUND', `The sandbox has no mailbox ${mailbox.address}.`);
    return n;
  }

  function foldersOf(mailbox: MailboxRef): SandboxFolder[] {
    return [...SANDBOX_FOLDERS, ...(journal.sync().folders.get(mailbox.id)?.values() ?? [])];
  }

  function writtenIn(mailbox: MailboxRef, folderKey: string): Item[] {
    return journal.sync().written.get(`${mailbox.id}|${folderKey}`) ?? [];
  }

  function folderInfo(mailbox: MailboxRef, folder: SandboxFolder, withStats: boolean): FolderInfo {
    const n = indexOf(mailbox);
    const base = SANDBOX_FOLDERS.includes(folder)
      ? sandboxFolderInfo(shape, n, folder)
      : { key: folder.key, path: [...folder.path], role: folder.role, itemType: folder.itemType, count: 0, bytes: 0 };
    const extra = writtenIn(mailbox, folder.key);
    if (!withStats) return { key: base.key, path: base.path, role: base.role, itemType: base.itemType };
    return { ...base, count: (base.count ?? 0) + extra.length, bytes: (base.bytes ?? 0) + extra.reduce((s, i) => s + i.content.length, 0) };
  }

  function itemsOf(mailbox: MailboxRef, folder: FolderInfo): Item[] {
    const n = indexOf(mailbox);
    const generated = SANDBOX_FOLDERS.find((f) => f.key === folder.key);
    const own = generated ? Array.from({ length: folderItemCount(shape, n, generated) }, (_, i) => sandboxItem(shape, n, generated, i)) : [];
    return [...own, ...writtenIn(mailbox, folder.key)];
  }

  /** One item by key without generating the whole folder (a read per item must not cost the folder's size). */
  function oneItem(mailbox: MailboxRef, folder: FolderInfo, key: string): Item | undefined {
    const generated = SANDBOX_FOLDERS.find((f) => f.key === folder.key);
    const match = /#(\d+)$/.exec(key);
    if (generated && match && key === `${folder.key}#${match[1]}`) {
      const i = Number(match[1]);
      const n = indexOf(mailbox);
      return i < folderItemCount(shape, n, generated) ? sandboxItem(shape, n, generated, i) : undefined;
    }
    return writtenIn(mailbox, folder.key).find((i) => i.key === key);
  }

  return {
    platform: 'sandbox',
    capabilities: { enumerateMailboxes: true, itemTypes: ['mail', 'event', 'contact'], delta: true, createMailboxes: true },
    // Generous: the sandbox is for demos and tests, not for modelling a strict platform.
    limits: { concurrencyPerMailbox: 8, requestsPerWindow: 100_000, windowMs: 60_000, uploadBytesPerWindow: 10 * 1024 ** 3, maxItemBytes: 150 * 1024 ** 2 },

    async validate(signal): Promise<ValidationResult> {
      await abortable(settings.latencyMs ?? 0, signal);
      if ((settings.failureRate ?? 0) >= 1) {
        return { ok: false, summary: 'The sandbox tenant refused every sign-in (failureRate is 1).', problems: all.slice(0, 3).map((m) => ({ address: m.address, message: 'Sign-in refused by the sandbox.' })) };
      }
      return { ok: true, summary: `Connected to the sandbox tenant ${settings.domain} with ${all.length} mailboxes.`, problems: [] };
    },

    async listMailboxes(page, signal): Promise<MailboxPage> {
      await gate('list', undefined, signal);
      const offset = page ? Number(page) : 0;
      const next = offset + PAGE_SIZE;
      return { mailboxes: all.slice(offset, next), ...(next < all.length ? { nextPage: String(next) } : {}) };
    },

    async mailboxStats(mailbox, signal): Promise<MailboxStats> {
      await gate('stats', mailbox, signal);
      const stats: MailboxStats = { folders: 0, mail: 0, events: 0, contacts: 0, bytes: 0 };
      for (const folder of foldersOf(mailbox)) {
        const info = folderInfo(mailbox, folder, true);
        stats.folders += 1;
        const count = info.count ?? 0;
        if (info.itemType === 'mail') stats.mail += count;
        else if (info.itemType === 'event') stats.events += count;
        else stats.contacts += count;
        stats.bytes += info.bytes ?? 0;
      }
      return stats;
    },

    async listFolders(mailbox, options, signal) {
      await gate('folders', mailbox, signal);
      return foldersOf(mailbox).map((f) => folderInfo(mailbox, f, options?.withStats ?? false));
    },

    async ensureFolder(mailbox, path, role: FolderRole, itemType: ItemType, signal) {
      await gate('ensureFolder', mailbox, signal);
      const key = path.join('/');
      const existing = foldersOf(mailbox).find((f) => f.key === key || (role !== null && f.role === role));
      if (existing) return folderInfo(mailbox, existing, false);
      const created: SandboxFolder = { key, path: [...path], role, itemType };
      journal.createFolder(mailbox.id, created);
      return folderInfo(mailbox, created, false);
    },

    async listChanges(mailbox, folder, cursor: Cursor | undefined, signal): Promise<ChangePage> {
      await gate('changes', mailbox, signal);
      const items = itemsOf(mailbox, folder);
      const from = cursor ? Number(cursor) : 0;
      const to = Math.min(items.length, from + CHANGES_PAGE);
      const changes = items.slice(from, to).map((i) => ({ key: i.key, kind: 'upsert' as const, size: i.content.length, flags: i.flags, messageId: i.messageId }));
      return { changes, cursor: String(to), more: to < items.length };
    },

    async readItem(mailbox, folder, key, signal) {
      await gate('read', mailbox, signal);
      const item = oneItem(mailbox, folder, key);
      if (!item) throw new AppError('NOT_FOUND', `The sandbox has no item ${key} in ${folder.path.join('/')}.`);
      return item;
    },

    async writeItem(mailbox, folder, item, signal): Promise<WriteResult> {
      await gate('write', mailbox, signal);
      // Position plus a random tag: another process may append to the same folder at the same moment.
      const key = `${folder.key}#w${writtenIn(mailbox, folder.key).length}-${randomBytes(3).toString('hex')}`;
      journal.appendItem(mailbox.id, folder.key, { ...item, key, hash: item.hash || createHash('sha256').update(item.content).digest('hex') });
      return { key };
    },

    async probeItem(mailbox, folder, probe, signal) {
      await gate('probe', mailbox, signal);
      const found = itemsOf(mailbox, folder).find((i) => (probe.messageId && i.messageId === probe.messageId) || i.hash === probe.hash);
      return found?.key ?? null;
    },

    async updateFlags(mailbox, folder, key, flags, signal) {
      await gate('flags', mailbox, signal);
      if (!writtenIn(mailbox, folder.key).some((i) => i.key === key)) throw new AppError('NOT_FOUND', `The sandbox has no written item ${key} in ${folder.path.join('/')}.`);
      journal.setFlags(mailbox.id, folder.key, key, [...flags]);
    },

    async close() {},
  };
}
