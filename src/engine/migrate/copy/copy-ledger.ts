/**
 * The durable side of copying: the item ledger, write intents, item failures, folder cursors and
 * the mailbox run's counters. A batch of outcomes is recorded in ONE transaction, so a job that
 * dies at any instruction leaves either all of a batch or none of it (and its intents, which make
 * the next attempt probe the destination before writing again).
 */
import { sql, type SQL } from 'drizzle-orm';
import { chargeFirstItem, mayCharge } from '../../credits/license-charger.js';
import type { DbOrTx } from '../../db/client.js';
import { logEvent } from './copy-events.js';
import type { CopySession } from './copy-session.js';

export interface ItemOutcome {
  key: string;
  status: 'copied' | 'failed' | 'filtered';
  destinationKey?: string;
  hash?: string;
  bytes?: number;
  reason?: string;
}

export interface FolderPair { source: string; destination: string }

const FAILURE_LINES_PER_BATCH = 20;

export function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? (Array.isArray(result) ? result : [])) as T[];
}

const keysJson = (keys: string[]) => JSON.stringify(keys);

/** Of these source keys of a folder, the ones already in the ledger. */
export async function ledgered(db: DbOrTx, mappingId: string, folderKey: string, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const found = await db.execute(sql`select source_item_key as key from item_ledger where mapping_id = ${mappingId} and source_folder_key = ${folderKey}
    and source_item_key in (select jsonb_array_elements_text(${keysJson(keys)}::jsonb))`);
  return new Set(rowsOf<{ key: string }>(found).map((r) => r.key));
}

/** The ledger rows (source key → destination key) of these keys. */
export async function ledgerTargets(db: DbOrTx, mappingId: string, folderKey: string, keys: string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const found = await db.execute(sql`select source_item_key as key, destination_item_key as dest from item_ledger where mapping_id = ${mappingId}
    and source_folder_key = ${folderKey} and source_item_key in (select jsonb_array_elements_text(${keysJson(keys)}::jsonb))`);
  return new Map(rowsOf<{ key: string; dest: string }>(found).map((r) => [r.key, r.dest]));
}

/**
 * Declares the batch about to be written (one statement); returns the keys that already had an
 * intent: an earlier attempt may have written them, so they are probed first.
 */
export async function declareIntents(db: DbOrTx, mappingId: string, folderKey: string, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const added = await db.execute(sql`insert into write_intents (mapping_id, source_folder_key, source_item_key)
    select ${mappingId}, ${folderKey}, k from jsonb_array_elements_text(${keysJson(keys)}::jsonb) as k on conflict do nothing returning source_item_key as key`);
  const fresh = new Set(rowsOf<{ key: string }>(added).map((r) => r.key));
  return new Set(keys.filter((k) => !fresh.has(k)));
}

/** Records a batch (and, at the end of a page, the folder's cursor). Returns false when the mailbox run is no longer running (cancelled) or a newer attempt took over. */
export async function recordBatch(s: CopySession, folder: FolderPair, outcomes: ItemOutcome[], cursor?: string): Promise<boolean> {
  const { ctx, mappingId } = s;
  const now = ctx.now();
  const copied = outcomes.filter((o) => o.status === 'copied');
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (outcomes.length === 0 && cursor !== undefined) {
    // A page with nothing to write: only its cursor moves (one statement, no counters to touch).
    await ctx.db.execute(sql`update folder_cursors set cursor = ${cursor}, run_id = ${s.run.runId}, updated_at = ${now}
      where mapping_id = ${mappingId} and source_folder_key = ${folder.source}`);
    return true;
  }
  // The common batch (all copied or filtered, no failure row to resolve, no license to charge): one statement.
  if (failed.length === 0 && !s.mayHaveFailures && !mayCharge(s)) return recordCopied(s, folder, copied, outcomes, cursor, now);
  return ctx.db.transaction(async (tx) => {
    let done = 0;
    let bytes = 0;
    if (copied.length > 0) {
      const rows = copied.map((o) => ({ key: o.key, dest: o.destinationKey, hash: o.hash, bytes: o.bytes ?? 0 }));
      const inserted = await tx.execute(sql`
        insert into item_ledger (mapping_id, source_folder_key, source_item_key, destination_folder_key, destination_item_key, content_hash, bytes, run_id)
        select ${mappingId}, ${folder.source}, t.key, ${folder.destination}, t.dest, t.hash, t.bytes, ${s.run.runId}
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as t(key text, dest text, hash text, bytes bigint)
        on conflict do nothing returning bytes`);
      const got = rowsOf<{ bytes: number | string }>(inserted);
      done = got.length;
      bytes = got.reduce((n, r) => n + Number(r.bytes), 0);
      if (s.mayHaveFailures) await tx.execute(sql`update item_failures set resolved = true, updated_at = ${now} where mapping_id = ${mappingId} and source_folder_key = ${folder.source}
        and source_item_key in (select jsonb_array_elements_text(${keysJson(copied.map((o) => o.key))}::jsonb))`);
    }
    if (failed.length > 0) {
      s.mayHaveFailures = true;
      const rows = failed.map((o) => ({ key: o.key, reason: o.reason ?? 'failed' }));
      await tx.execute(sql`
        insert into item_failures (mapping_id, source_folder_key, source_item_key, reason, run_id)
        select ${mappingId}, ${folder.source}, t.key, t.reason, ${s.run.runId} from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as t(key text, reason text)
        on conflict (mapping_id, source_folder_key, source_item_key) do update set reason = excluded.reason, attempts = item_failures.attempts + 1,
          resolved = false, run_id = excluded.run_id, updated_at = ${now}`);
      for (const o of failed.slice(0, FAILURE_LINES_PER_BATCH)) await logEvent(tx, s.mailboxRunId, 'error', `Item failed in ${folderLabel(folder.source)}: ${o.reason ?? 'failed'}`);
    }
    if (outcomes.length > 0) {
      await tx.execute(sql`delete from write_intents where mapping_id = ${mappingId} and source_folder_key = ${folder.source}
        and source_item_key in (select jsonb_array_elements_text(${keysJson(outcomes.map((o) => o.key))}::jsonb))`);
    }
    if (cursor !== undefined) {
      await tx.execute(sql`update folder_cursors set cursor = ${cursor}, run_id = ${s.run.runId}, updated_at = ${now}
        where mapping_id = ${mappingId} and source_folder_key = ${folder.source}`);
    }
    const live = await updateCounters(tx, s, done, bytes, now);
    // A full run's mailbox pays for its license with its first recorded item, in this same transaction.
    if (live && done > 0) await chargeFirstItem(tx, s, now);
    return live;
  });
}

function folderLabel(key: string): string {
  return `"${key}"`;
}

/** The SET list of a mailbox run's counters after a batch: `done` and `bytes` are SQL expressions, `failed.n` the open failures. */
function counterSet(s: CopySession, done: SQL, bytes: SQL, now: Date): SQL {
  const health = s.throttled ? (s.throttled === 'source' ? 'throttled_source' : 'throttled_destination') : null;
  return sql`items_done = mr.items_done + ${done}, bytes_done = mr.bytes_done + ${bytes},
      items_failed = failed.n, items_total = greatest(mr.items_total, mr.items_done + ${done} + failed.n),
      last_progress_at = ${now},
      health = coalesce(${health}::text, case when failed.n > 0 then 'degraded' else 'healthy' end),
      health_reason = case when ${health}::text is not null then ${s.throttleReason}::text when failed.n > 0 then failed.n || ' items failed' else null end`;
}

async function updateCounters(tx: DbOrTx, s: CopySession, done: number, bytes: number, now: Date): Promise<boolean> {
  const moved = await tx.execute(sql`
    with failed as (select count(*)::bigint as n from item_failures where mapping_id = ${s.mappingId} and run_id = ${s.run.runId} and not resolved)
    update mailbox_runs mr set ${counterSet(s, sql`${done}::bigint`, sql`${bytes}::bigint`, now)}
    from failed where mr.id = ${s.mailboxRunId} and mr.status = 'running' and mr.attempts = ${s.attempt} returning mr.id`);
  return rowsOf(moved).length > 0;
}

/**
 * recordBatch's common case as ONE statement (atomic on its own: no transaction round trips): the
 * ledger rows, the intents done with, the cursor when given, and the counters. Like the transaction,
 * it keeps the ledger rows even when the mailbox run is no longer this attempt's (returns false then).
 */
async function recordCopied(s: CopySession, folder: FolderPair, copied: ItemOutcome[], outcomes: ItemOutcome[], cursor: string | undefined, now: Date): Promise<boolean> {
  const { mappingId } = s;
  const rows = copied.map((o) => ({ key: o.key, dest: o.destinationKey, hash: o.hash, bytes: o.bytes ?? 0 }));
  const moved = await s.ctx.db.execute(sql`
    with ins as (
      insert into item_ledger (mapping_id, source_folder_key, source_item_key, destination_folder_key, destination_item_key, content_hash, bytes, run_id)
      select ${mappingId}, ${folder.source}, t.key, ${folder.destination}, t.dest, t.hash, t.bytes, ${s.run.runId}
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as t(key text, dest text, hash text, bytes bigint)
      on conflict do nothing returning bytes),
    intents as (
      delete from write_intents where mapping_id = ${mappingId} and source_folder_key = ${folder.source}
        and source_item_key in (select jsonb_array_elements_text(${keysJson(outcomes.map((o) => o.key))}::jsonb))),
    moved_cursor as (
      update folder_cursors set cursor = ${cursor ?? null}, run_id = ${s.run.runId}, updated_at = ${now}
      where ${cursor ?? null}::text is not null and mapping_id = ${mappingId} and source_folder_key = ${folder.source}),
    got as (select count(*)::bigint as n, coalesce(sum(bytes), 0)::bigint as b from ins),
    failed as (select count(*)::bigint as n from item_failures where mapping_id = ${mappingId} and run_id = ${s.run.runId} and not resolved)
    update mailbox_runs mr set ${counterSet(s, sql`got.n`, sql`got.b`, now)}
    from failed, got where mr.id = ${s.mailboxRunId} and mr.status = 'running' and mr.attempts = ${s.attempt} returning mr.id`);
  return rowsOf(moved).length > 0;
}

/** A folder's stored cursor and the run that stored it. */
export interface StoredCursor { cursor: string | null; runId: string }
