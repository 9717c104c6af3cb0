import { sql } from 'drizzle-orm';
import type { EngineContext } from '../../context.js';
import type { DbOrTx } from '../../db/client.js';
import { mailboxRunEvents, runs } from '../../db/schema.js';

export type EventLevel = 'info' | 'warn' | 'error';

/** One line of a mailbox run's chronological log (what `/migrate log <address>` pages through). */
export async function logEvent(db: DbOrTx, mailboxRunId: string, level: EventLevel, message: string, at?: Date): Promise<void> {
  await db.insert(mailboxRunEvents).values({ mailboxRunId, level, message, ...(at ? { at } : {}) });
}

export interface RunRef { runId: string; projectId: string; channelKey: string }

/** A thread reply for the run card: failures, throttling, stalls. */
export async function alert(ctx: EngineContext, run: RunRef, mailbox: { mailboxRunId: string; address: string }, level: 'warn' | 'error', message: string): Promise<void> {
  await ctx.publish({ type: 'mailbox.alert', ...run, alert: { ...mailbox, level, message } });
}

/** Run counters recomputed from the mailbox runs, so replays and parallel jobs never double-count. */
export async function refreshRunProgress(db: DbOrTx, runId: string): Promise<void> {
  await db.execute(sql`
    update runs set progress = (
      select jsonb_build_object(
        'mailboxesTotal', count(*),
        'mailboxesDone', count(*) filter (where status = 'completed'),
        'mailboxesFailed', count(*) filter (where status = 'failed'),
        'mailboxesRunning', count(*) filter (where status = 'running'),
        'mailboxesThrottled', count(*) filter (where status = 'running' and health in ('throttled_source', 'throttled_destination')),
        'mailboxesStalled', count(*) filter (where status = 'running' and health = 'stalled'),
        'itemsTotal', coalesce(sum(items_total), 0),
        'itemsDone', coalesce(sum(items_done), 0),
        'itemsFailed', coalesce(sum(items_failed), 0),
        'bytesDone', coalesce(sum(bytes_done), 0))
      from mailbox_runs where run_id = ${runId})
    where id = ${runId}`);
}

/** At most one 'run.progress' per run per second, across every worker process (a Redis gate). */
export async function progressEvent(ctx: EngineContext, run: RunRef, force = false): Promise<void> {
  const gate = await ctx.runtime.redis.set(`${ctx.options.queuePrefix}:progress-gate:${run.runId}`, '1', 'PX', 1000, 'NX');
  if (gate !== 'OK' && !force) return;
  await refreshRunProgress(ctx.db, run.runId);
  if (gate === 'OK') await ctx.publish({ type: 'run.progress', ...run });
}

export async function markRunRunning(db: DbOrTx, runId: string, now: Date): Promise<void> {
  await db.update(runs).set({ status: 'running', startedAt: sql`coalesce(${runs.startedAt}, ${now.toISOString()}::timestamptz)` })
    .where(sql`${runs.id} = ${runId} and ${runs.status} = 'queued'`);
}

/** Redis keys the copy jobs poll: the run was cancelled, or the watchdog wants this mailbox restarted. */
export function abortKey(prefix: string, id: string): string {
  return `${prefix}:abort:${id}`;
}

