import { inArray } from 'drizzle-orm';
import type { EngineContext } from '../context.js';
import { runs } from '../db/schema.js';
import { jobIdFor } from './jobs.js';
import type { QueueRuntime } from './queue-runtime.js';

/**
 * PostgreSQL is the truth, Redis the transport: a run that is queued or running but has no live
 * job (Redis flushed, enqueue lost after commit, worker died past its retries) is queued again.
 */
export async function reconcileRuns(ctx: EngineContext, runtime: QueueRuntime): Promise<number> {
  const active = await ctx.db.select().from(runs).where(inArray(runs.status, ['queued', 'running']));
  let requeued = 0;
  for (const run of active) {
    if (run.mode !== 'scan') continue;
    const jobId = jobIdFor('scan', { runId: run.id });
    if (await runtime.isPending('scan', jobId)) continue;
    await runtime.removeJob('scan', jobId);
    await runtime.enqueue('scan', { runId: run.id }, jobId);
    requeued++;
  }
  if (requeued > 0) ctx.log.info({ requeued }, 'requeued runs without a job');
  return requeued;
}
