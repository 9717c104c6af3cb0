import { eq, sql } from 'drizzle-orm';
import type { MailboxStats } from '../connectors/types.js';
import type { EngineContext } from '../context.js';
import { runs } from '../db/schema.js';

export interface ScanOutcome {
  runRowId: string;
  mailboxId: string;
  stats?: MailboxStats;
  error?: string;
}

const FLUSH_SIZE = 500;
const FLUSH_MS = 500;

/**
 * Writes each mailbox's result (its row, its mailbox run, the run's counters) to the store.
 * Outcomes are grouped into one transaction per ~500 mailboxes or 500 ms, so a 10,000-mailbox
 * scan does not pay one commit per mailbox; a crash loses at most the last group, which the
 * retried job scans again (those mailbox runs are still pending).
 */
export class ScanCheckpoint {
  private buffer: ScanOutcome[] = [];
  private lastFlush = Date.now();
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: EngineContext, private readonly runId: string) {}

  /** Resolves once the outcome is durable when a flush is due; otherwise buffers it. */
  async add(outcome: ScanOutcome): Promise<boolean> {
    this.buffer.push(outcome);
    if (this.buffer.length < FLUSH_SIZE && Date.now() - this.lastFlush < FLUSH_MS) return false;
    await this.flush();
    return true;
  }

  flush(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    this.lastFlush = Date.now();
    this.flushing = this.flushing.then(() => (batch.length ? this.write(batch) : undefined));
    return this.flushing;
  }

  /** Three statements per group whatever its size (rows travel as one JSON parameter): mailbox runs, mailboxes, the run's counters. */
  private async write(batch: ScanOutcome[]): Promise<void> {
    const now = this.ctx.now();
    const byRun = new Map(batch.map((o) => [o.runRowId, o]));
    await this.ctx.db.transaction(async (tx) => {
      const runRows = batch.map((o) => ({ id: o.runRowId, status: o.stats ? 'completed' : 'failed', items: o.stats ? o.stats.mail + o.stats.events + o.stats.contacts : 0, bytes: o.stats?.bytes ?? 0, error: o.error ?? null }));
      // Only a transition out of pending/running counts, so a replayed outcome never double-counts.
      const moved = await tx.execute(sql`
        update mailbox_runs mr set status = v.status, items_total = v.items, bytes_done = v.bytes, error = v.error,
          health = case when v.status = 'failed' then 'failed' else mr.health end, health_reason = v.error,
          attempts = mr.attempts + 1, finished_at = ${now}, last_progress_at = ${now}
        from jsonb_to_recordset(${JSON.stringify(runRows)}::jsonb) as v(id text, status text, items bigint, bytes bigint, error text)
        where mr.id = v.id and mr.status in ('pending', 'running')
        returning mr.id`);
      const done = rowsOf<{ id: string }>(moved).map((r) => byRun.get(r.id)).filter((o): o is ScanOutcome => o !== undefined);
      if (done.length === 0) return;
      const boxRows = done.map((o) => ({ id: o.mailboxId, ...(o.stats ?? {}), error: o.error ?? null }));
      await tx.execute(sql`
        update mailboxes m set folders = coalesce(v.folders, m.folders), mail = coalesce(v.mail, m.mail), events = coalesce(v.events, m.events),
          contacts = coalesce(v.contacts, m.contacts), bytes = coalesce(v.bytes, m.bytes), scan_error = v.error, updated_at = ${now}
        from jsonb_to_recordset(${JSON.stringify(boxRows)}::jsonb) as v(id text, folders int, mail bigint, events bigint, contacts bigint, bytes bigint, error text)
        where m.id = v.id`);
      const ok = done.filter((o) => o.stats);
      const items = ok.reduce((n, o) => n + (o.stats ? o.stats.mail + o.stats.events + o.stats.contacts : 0), 0);
      const bytes = ok.reduce((n, o) => n + (o.stats?.bytes ?? 0), 0);
      await tx.update(runs).set({
        progress: sql`${runs.progress} || jsonb_build_object(
          'mailboxesDone', coalesce((${runs.progress}->>'mailboxesDone')::bigint, 0) + ${ok.length}::bigint,
          'mailboxesFailed', coalesce((${runs.progress}->>'mailboxesFailed')::bigint, 0) + ${done.length - ok.length}::bigint,
          'itemsCounted', coalesce((${runs.progress}->>'itemsCounted')::bigint, 0) + ${items}::bigint,
          'bytesCounted', coalesce((${runs.progress}->>'bytesCounted')::bigint, 0) + ${bytes}::bigint)`,
      }).where(eq(runs.id, this.runId));
    });
  }
}

/** node-postgres returns { rows }, PGlite returns { rows } too, but typed differently. */
function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? (Array.isArray(result) ? result : [])) as T[];
}
