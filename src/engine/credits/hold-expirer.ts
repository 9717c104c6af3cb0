/**
 * Holds nobody decided within the org's TTL: released (an `expire` entry), their runs cancelled.
 * Called on every reconcile tick; each hold is expired in its own transaction, so two processes
 * ticking at once expire it once (the second finds it no longer pending).
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import type { EngineContext } from '../context.js';
import { creditHolds } from '../db/schema.js';
import { credits, rowsOf } from './credit-ledger.js';
import { releaseAtRunEnd } from './hold-settler.js';
import { readPolicy } from './credit-policy.js';
import { cancelPendingRun, endHold, lockRun } from './hold-releaser.js';
import { toHoldInfo } from './hold-records.js';

const SYSTEM = { id: 'system', name: 'mailferry' };

/** Held holds whose run already ended (a finalizer that died between the status and the release): settle them. */
async function settleOrphans(ctx: EngineContext): Promise<void> {
  const rows = rowsOf<{ run_id: string }>(await ctx.db.execute(sql`select h.run_id from credit_holds h join runs r on r.id = h.run_id
    where h.status = 'held' and r.status in ('completed', 'failed', 'cancelled') limit 100`));
  for (const r of rows) await releaseAtRunEnd(ctx, r.run_id);
}

export async function expireHolds(ctx: EngineContext): Promise<number> {
  await settleOrphans(ctx);
  const now = ctx.now();
  const due = await ctx.db.select({ runId: creditHolds.runId, orgId: creditHolds.orgId }).from(creditHolds)
    .where(and(eq(creditHolds.status, 'pending_approval'), lt(creditHolds.expiresAt, now))).limit(500);
  let expired = 0;
  for (const { runId, orgId } of due) {
    const { holdTtlHours } = await readPolicy(ctx.db, orgId);
    const outcome = `no decision within ${holdTtlHours} h`;
    const ended = await ctx.db.transaction(async (tx) => {
      await lockRun(tx, runId);
      const result = await endHold(tx, { runId, ending: 'expired', at: now, actor: SYSTEM, outcome: () => outcome });
      if (result) await cancelPendingRun(tx, runId, `Cancelled: the credit hold got ${outcome}.`, now);
      return result;
    });
    if (!ended) continue;
    expired++;
    const info = await toHoldInfo(ctx, ended.hold);
    const base = { runId, projectId: info.projectId, channelKey: info.channelKey, orgId, holdId: info.id };
    await ctx.publish({ type: 'hold.decided', ...base });
    await ctx.publish({ type: 'credits.changed', ...base, runId: '', note: `${credits(ended.released)} released: the full run of ${info.projectName} got ${outcome}.` });
    await ctx.publish({ type: 'run.finished', runId, projectId: info.projectId, channelKey: info.channelKey });
  }
  return expired;
}
