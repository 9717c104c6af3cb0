/** The work of one mailbox run, by mode: folders first (every mode), then items. */
import { sql } from 'drizzle-orm';
import type { FolderInfo, ItemType } from '../../connectors/types.js';
import { runBounded } from '../bounded-pool.js';
import { logEvent } from './copy-events.js';
import { copyFolder, copyKeys } from './copy-folder.js';
import { hasOpenFailures, ledgerEmpty, ledgered, rememberFolders, rowsOf, storedCursors } from './copy-ledger.js';
import { runItemTypes } from './run-item-types.js';
import { throttled, type CopySession } from './copy-session.js';

type FolderPairInfo = [from: FolderInfo, to: FolderInfo];

function wantedTypes(s: CopySession): ItemType[] {
  return runItemTypes(s.mode, s.options).filter((t) => s.destination.capabilities.itemTypes.includes(t));
}

/** Creates the source's folder tree at the destination (translation of roles and separators is the connectors'). */
export async function ensureFolders(s: CopySession): Promise<FolderPairInfo[]> {
  const types = wantedTypes(s);
  // The source lists every type the run asked for, so that those the destination cannot take are logged as skipped.
  const listed = await throttled(s, 'source', () => s.source.listFolders(s.sourceRef, { itemTypes: runItemTypes(s.mode, s.options) }, s.signal));
  const existing = new Set((await throttled(s, 'destination', () => s.destination.listFolders(s.destinationRef, { itemTypes: types }, s.signal))).map((f) => f.key));
  const skipped = listed.filter((f) => !types.includes(f.itemType));
  if (skipped.length > 0) await logEvent(s.ctx.db, s.mailboxRunId, 'info', `Skipped ${skipped.map((f) => `"${f.path.join('/')}"`).join(', ')}: not part of this run or not supported by the destination`);
  const pairs: FolderPairInfo[] = [];
  const created: string[] = [];
  // Parents before children, so a nested folder never races its parent's creation.
  for (const from of listed.filter((f) => types.includes(f.itemType)).sort((a, b) => a.path.length - b.path.length)) {
    const to = await throttled(s, 'destination', () => s.destination.ensureFolder(s.destinationRef, from.path, from.role, from.itemType, s.signal));
    if (!existing.has(to.key)) {
      existing.add(to.key);
      created.push(`Folder "${to.path.join('/')}" created`);
    }
    pairs.push([from, to]);
  }
  await s.ctx.db.transaction(async (tx) => {
    for (const line of created) await logEvent(tx, s.mailboxRunId, 'info', line);
    await rememberFolders(tx, s, pairs.map(([from, to]) => ({ source: from.key, destination: to.key })));
  });
  return pairs;
}

/** Whether the mapping's previous copy did not complete (then retry also makes a full pass; the ledger dedupes). */
async function previousIncomplete(s: CopySession): Promise<boolean> {
  const found = await s.ctx.db.execute(sql`select mr.status from mailbox_runs mr join runs r on r.id = mr.run_id
    where mr.mapping_id = ${s.mappingId} and r.id <> ${s.run.runId} and r.mode <> 'scan' order by r.created_at desc limit 1`);
  const status = rowsOf<{ status: string }>(found)[0]?.status;
  return status !== undefined && status !== 'completed';
}

async function retryFailures(s: CopySession, pairs: FolderPairInfo[]): Promise<void> {
  const found = await s.ctx.db.execute(sql`select source_folder_key as folder, source_item_key as key from item_failures
    where mapping_id = ${s.mappingId} and not resolved order by source_folder_key, source_item_key`);
  const byFolder = new Map<string, string[]>();
  for (const r of rowsOf<{ folder: string; key: string }>(found)) byFolder.set(r.folder, [...(byFolder.get(r.folder) ?? []), r.key]);
  for (const [from, to] of pairs) {
    const keys = byFolder.get(from.key);
    if (!keys) continue;
    const known = await ledgered(s.ctx.db, s.mappingId, from.key, keys);
    // A failed write may still have landed (a timeout after the server took it): probe first.
    await copyKeys(s, from, to, keys.filter((k) => !known.has(k)), true);
  }
}

export async function copyMailbox(s: CopySession): Promise<void> {
  const pairs = await ensureFolders(s);
  if (s.mode === 'structure') return;
  s.cursors = await storedCursors(s.ctx.db, s.mappingId);
  s.mayHaveFailures = await hasOpenFailures(s.ctx.db, s.mappingId);
  s.freshLedger = s.attempt === 1 && s.mode === 'full' && (await ledgerEmpty(s.ctx.db, s.mappingId));
  if (s.mode === 'retry') {
    await retryFailures(s, pairs);
    if (!(await previousIncomplete(s))) return;
  }
  await eachFolder(s, pairs);
}

/** Folder passes of one mailbox at once: one lists and reads while another writes (their writes share the mailbox's slots). */
const FOLDERS_AT_ONCE = 2;

/**
 * Copies every folder, FOLDERS_AT_ONCE at a time. The first failure halts the others (no new
 * write starts) and is rethrown only once every pass has settled: none writes after the attempt ended.
 */
async function eachFolder(s: CopySession, pairs: FolderPairInfo[]): Promise<void> {
  await runBounded(pairs, FOLDERS_AT_ONCE, async ([from, to]) => {
    if (s.halted) return;
    try {
      await copyFolder(s, from, to);
    } catch (error) {
      s.halted ??= { error };
    }
  });
  if (s.halted) throw s.halted.error;
}
