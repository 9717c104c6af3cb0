import { inArray, sql } from 'drizzle-orm';
import type { EngineContext } from '../context.js';
import { runs } from '../db/schema.js';
import { maybeFinalize } from '../migrate/copy/copy-job.js';
import { rowsOf } from '../migrate/copy/copy-ledger.js';
import { jobIdFor } from './jobs.js';
import type { QueueRuntime } from './queue-runtime.js';

/**
 * PostgreSQL is the truth, Redis the transport: a run (scan) or mailbox run (copy) that is queued
 * or running but has no live job (Redis flushed, enqueue lost after commit, worker died past its
 * retries) is queued again; a copy run whose mailboxes are all done gets its finalizer.
 */
export async function reconcileRuns(ctx: EngineContext, runtime: QueueRuntime): Promise<number> {
  const active = await ctx.db.select().from(runs).where(inArray(runs.status, ['queued', 'running']));
  let requeued = 0;
  for (const run of active) {
    if (run.mode === 'scan') {
      const jobId = jobIdFor('scan', { runId: run.id });
      if (await runtime.isPending('scan', jobId)) continue;
      await runtime.removeJob('scan', jobId);
      await runtime.enqueue('scan', { runId: run.id }, jobId);
      requeued++;
    } else {
      requeued += await reconcileCopyRun(ctx, runtime, run.id);
    }
  }
  if (requeued > 0) ctx.log.info({ requeued }, 'requeued runs without a job');
  return requeued;
}

async function reconcileCopyRun(ctx: EngineContext, runtime: QueueRuntime, runId: string): Promise<number> {
  const open = rowsOf<{ id: string }>(await ctx.db.execute(sql`select id from mailbox_runs where run_id = ${runId} and status in ('pending', 'running')`));
  if (open.length === 0) {
    if (await runtime.notPending('finalize', [jobIdFor('finalize', { runId })]).then((ids) => ids.length > 0)) {
      await runtime.removeJob('finalize', jobIdFor('finalize', { runId }));
      await maybeFinalize(ctx, runId);
    }
    return 0;
  }
  const byJob = new Map(open.map((r) => [jobIdFor('copy', { runId, mailboxRunId: r.id }), r.id]));
  const lost = await runtime.notPending('copy', [...byJob.keys()]);
  for (const jobId of lost) {
    await runtime.removeJob('copy', jobId);
    await runtime.enqueue('copy', { runId, mailboxRunId: byJob.get(jobId)! }, jobId);
  }
  return lost.length;
}
