import { sql } from 'drizzle-orm';
import type { EngineContext } from '../context.js';
import { abortKey, alert, logEvent } from '../migrate/copy/copy-events.js';
import { rowsOf } from '../migrate/copy/copy-ledger.js';

export const DEFAULT_STALL_AFTER_MS = 10 * 60_000;

/**
 * Marks running mailbox runs without progress for `stallAfterMs` as stalled (health, log, alert)
 * and raises their restart flag: the job aborts and BullMQ retries it with backoff from its
 * checkpoint. A job that is gone altogether is the reconciler's.
 */
export async function markStalled(ctx: EngineContext, stallAfterMs: number): Promise<number> {
  const before = new Date(ctx.now().getTime() - stallAfterMs);
  const span = stallAfterMs >= 60_000 ? `${Math.round(stallAfterMs / 60_000)} min` : `${Math.round(stallAfterMs / 1000)} s`;
  const reason = `no progress for ${span}; restarting`;
  const stalled = rowsOf<{ id: string; run_id: string; project_id: string; channel_key: string; address: string }>(await ctx.db.execute(sql`
    update mailbox_runs mr set health = 'stalled', health_reason = ${reason}, last_progress_at = ${ctx.now()}
    from runs r, projects p, mailboxes m
    where r.id = mr.run_id and p.id = r.project_id and m.id = mr.mailbox_id and mr.status = 'running' and r.mode <> 'scan'
      and coalesce(mr.last_progress_at, mr.started_at) < ${before}
    returning mr.id, mr.run_id, p.id as project_id, p.channel_key, m.address`));
  for (const s of stalled) {
    await ctx.runtime.redis.set(abortKey(ctx.options.queuePrefix, s.id), '1', 'EX', 3600);
    await logEvent(ctx.db, s.id, 'warn', `Stalled: ${reason}`);
    await alert(ctx, { runId: s.run_id, projectId: s.project_id, channelKey: s.channel_key }, { mailboxRunId: s.id, address: s.address }, 'warn', `${s.address} stalled: ${reason}.`);
  }
  return stalled.length;
}
