/** The work of one mailbox run, by mode: folders first (every mode), then items. */
import { sql } from 'drizzle-orm';
import type { FolderInfo, ItemType } from '../../connectors/types.js';
import { runBounded } from '../bounded-pool.js';
import { logEvent } from './copy-events.js';
import { copyFolder, copyKeys } from './copy-folder.js';
import { ledgered, rowsOf, type FolderPair, type StoredCursor } from './copy-ledger.js';
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
  await recordFolders(s, created, pairs.map(([from, to]) => ({ source: from.key, destination: to.key })));
  return pairs;
}

/**
 * One statement, so atomic: the "folder created" lines, each folder's destination (kept across runs),
 * and what the copy needs to know of the mapping: the cursors of these folders as stored, open
 * failures, an empty ledger.
 */
async function recordFolders(s: CopySession, lines: string[], folders: FolderPair[]): Promise<void> {
  const found = await s.ctx.db.execute(sql`
    with logged as (
      insert into mailbox_run_events (mailbox_run_id, level, message)
      select ${s.mailboxRunId}, 'info', t.line from jsonb_array_elements_text(${JSON.stringify(lines)}::jsonb) with ordinality as t(line, i) order by t.i),
    remembered as (
      insert into folder_cursors (mapping_id, source_folder_key, destination_folder_key, run_id)
      select ${s.mappingId}, t.source, t.destination, ${s.run.runId} from jsonb_to_recordset(${JSON.stringify(folders)}::jsonb) as t(source text, destination text)
      on conflict (mapping_id, source_folder_key) do update set destination_folder_key = excluded.destination_folder_key
      returning source_folder_key as key, cursor, run_id as "runId")
    select (select coalesce(jsonb_agg(to_jsonb(r)), '[]'::jsonb) from remembered r) as cursors,
      exists (select 1 from item_failures where mapping_id = ${s.mappingId} and not resolved) as failures,
      not exists (select 1 from item_ledger where mapping_id = ${s.mappingId}) as "emptyLedger"`);
  const [row] = rowsOf<{ cursors: (StoredCursor & { key: string })[] | string; failures: boolean; emptyLedger: boolean }>(found);
  const cursors = typeof row?.cursors === 'string' ? (JSON.parse(row.cursors) as (StoredCursor & { key: string })[]) : row?.cursors ?? [];
  s.cursors = new Map(cursors.map((c) => [c.key, { cursor: c.cursor, runId: c.runId }]));
  s.mayHaveFailures = row?.failures ?? true;
  s.freshLedger = s.attempt === 1 && s.mode === 'full' && row?.emptyLedger === true;
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
  // Also loads the mapping's cursors, open failures and ledger state into the session.
  const pairs = await ensureFolders(s);
  if (s.mode === 'structure') return;
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
