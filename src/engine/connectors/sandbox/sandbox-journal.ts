import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Item } from '../types.js';
import type { SandboxFolder } from './sandbox-tenant.js';

/**
 * What was written into a sandbox tenant (folders created, items appended, flags changed), per
 * mailbox id. The generated content is derived from the seed; the writes are not, so they go to an
 * append-only JSON-lines journal under the data directory: a delta, retry or verification started
 * from another process (the CLI, a restarted worker) sees the same destination. Every operation
 * first reads whatever other processes appended since. With an in-memory data dir (`memory://`,
 * tests) the journal lives in this process only, like the PGlite store next to it.
 */
export interface TenantState {
  folders: Map<string, Map<string, SandboxFolder>>;
  written: Map<string, Item[]>;
}

type Entry =
  | { t: 'folder'; m: string; f: SandboxFolder }
  | { t: 'item'; m: string; k: string; i: { key: string; type: Item['type']; content: string; flags: string[]; date: string; messageId?: string; hash: string } }
  | { t: 'flags'; m: string; k: string; key: string; flags: string[] };

let dataDir = 'memory://';
const journals = new Map<string, SandboxJournal>();

/** Where sandbox writes persist: the engine's data dir (`memory://` keeps them in this process). */
export function configureSandboxData(dir: string): void {
  if (dir === dataDir) return;
  dataDir = dir;
  journals.clear();
}

/** The journal of one tenant (same settings ⇒ same tenant), shared by every connector in this process. */
export function journalFor(tenantKey: string): SandboxJournal {
  const id = `${dataDir}\0${tenantKey}`;
  let journal = journals.get(id);
  if (!journal) {
    const file = dataDir.startsWith('memory://')
      ? null
      : join(dataDir, 'sandbox', `${createHash('sha256').update(tenantKey).digest('hex').slice(0, 16)}.jsonl`);
    journal = new SandboxJournal(file);
    journals.set(id, journal);
  }
  return journal;
}

export class SandboxJournal {
  readonly state: TenantState = { folders: new Map(), written: new Map() };
  /** Bytes of the file already applied, and a trailing partial line (another process mid-append). */
  private offset = 0;
  private partial = '';

  constructor(private readonly file: string | null) {
    if (file) mkdirSync(join(file, '..'), { recursive: true });
  }

  /** Applies what other processes appended since the last call; returns the (live) state. */
  sync(): TenantState {
    if (!this.file) return this.state;
    const size = statSync(this.file, { throwIfNoEntry: false })?.size ?? 0;
    if (size <= this.offset) return this.state;
    const fd = openSync(this.file, 'r');
    try {
      const chunk = Buffer.alloc(size - this.offset);
      const read = readSync(fd, chunk, 0, chunk.length, this.offset);
      this.offset += read;
      const lines = (this.partial + chunk.subarray(0, read).toString('utf8')).split('\n');
      this.partial = lines.pop() ?? '';
      for (const text of lines) if (text) this.apply(JSON.parse(text) as Entry);
    } finally {
      closeSync(fd);
    }
    return this.state;
  }

  createFolder(mailboxId: string, folder: SandboxFolder): void {
    this.record({ t: 'folder', m: mailboxId, f: folder });
  }

  appendItem(mailboxId: string, folderKey: string, item: Item): void {
    const i = { key: item.key, type: item.type, content: item.content.toString('base64'), flags: item.flags, date: item.date.toISOString(), messageId: item.messageId, hash: item.hash };
    this.record({ t: 'item', m: mailboxId, k: folderKey, i });
  }

  setFlags(mailboxId: string, folderKey: string, key: string, flags: string[]): void {
    this.record({ t: 'flags', m: mailboxId, k: folderKey, key, flags });
  }

  /** In memory: apply. On disk: append one line (one O_APPEND write, so it lands whole at the end) and read it back in file order. */
  private record(entry: Entry): void {
    if (!this.file) {
      this.apply(entry);
      return;
    }
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    this.sync();
  }

  private apply(entry: Entry): void {
    const { folders, written } = this.state;
    if (entry.t === 'folder') {
      const own = folders.get(entry.m) ?? new Map<string, SandboxFolder>();
      own.set(entry.f.key, entry.f);
      folders.set(entry.m, own);
      return;
    }
    const slot = `${entry.m}|${entry.k}`;
    const list = written.get(slot) ?? [];
    if (entry.t === 'item') {
      const { i } = entry;
      list.push({ key: i.key, type: i.type, content: Buffer.from(i.content, 'base64'), flags: i.flags, date: new Date(i.date), hash: i.hash, ...(i.messageId ? { messageId: i.messageId } : {}) });
      written.set(slot, list);
      return;
    }
    const at = list.findIndex((i) => i.key === entry.key);
    if (at >= 0) list[at] = { ...list[at]!, flags: [...entry.flags] };
  }
}
