import { and, eq, inArray, sql } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Actor, RunInfo } from '../api.js';
import type { EngineContext } from '../context.js';
import { announceEnded, releaseOnCancel } from '../credits/hold-settler.js';
import { toHoldInfo } from '../credits/hold-records.js';
import { mailboxRuns, runs } from '../db/schema.js';
import { abortKey } from '../migrate/copy/copy-events.js';
import { writeAudit } from '../policies/audit-writer.js';
import { ADMIN_ONLY, authorize } from '../policies/roles.js';
import { jobIdFor } from '../queues/jobs.js';
import { toRunInfo } from '../records.js';
import { findProject } from './project-lookup.js';

const ACTIVE = ['pending_approval', 'queued', 'running'] as const;
const FLAG_TTL_S = 7 * 24 * 3600;

/**
 * Cancels the project's active run: PostgreSQL first (the truth), then the transport: waiting jobs
 * are removed, running ones see the Redis abort flag within half a second and stop between items.
 */
export async function cancelRun(ctx: EngineContext, actor: Actor, props: { project: string }): Promise<RunInfo> {
  const project = await findProject(ctx.db, actor.orgId, props.project);
  await authorize(ctx, actor, ADMIN_ONLY, 'run.cancel', project.id);
  const now = ctx.now();
  const [scan] = await ctx.db.select().from(runs).where(and(eq(runs.projectId, project.id), eq(runs.mode, 'scan'), inArray(runs.status, [...ACTIVE]))).limit(1);
  // A scan only reads and ends by itself; stopping it halfway would leave half-counted mailboxes.
  if (scan) throw new AppError('CONFLICT', `${project.name} is being scanned (${scan.id}); a scan cannot be cancelled. It finishes by itself, usually within minutes.`, { details: { runId: scan.id } });
  const result = await ctx.db.transaction(async (tx) => {
    const [run] = await tx.update(runs).set({ status: 'cancelled', finishedAt: now, error: `Cancelled by ${actor.userName}.` })
      .where(and(eq(runs.projectId, project.id), inArray(runs.status, [...ACTIVE]), sql`${runs.mode} <> 'scan'`)).returning();
    if (!run) return null;
    const stopped = await tx.update(mailboxRuns).set({ status: 'cancelled', finishedAt: now })
      .where(and(eq(mailboxRuns.runId, run.id), inArray(mailboxRuns.status, ['pending', 'running']))).returning({ id: mailboxRuns.id });
    if (stopped.length > 0) {
      await tx.execute(sql`insert into mailbox_run_events (mailbox_run_id, level, message)
        select id, 'warn', ${`Cancelled by ${actor.userName}`} from jsonb_to_recordset(${JSON.stringify(stopped)}::jsonb) as t(id text)`);
    }
    // Its credit hold ends with it: what was not consumed goes back to available.
    const ended = await releaseOnCancel(tx, { runId: run.id, at: now, actor: { id: actor.userId, name: actor.userName || actor.userId } });
    await writeAudit(tx, actor, { action: 'run.cancel', outcome: 'allowed', projectId: project.id, detail: { runId: run.id, mode: run.mode, mailboxesStopped: stopped.length } });
    return { run, stopped, ended };
  });
  if (!result) throw new AppError('NOT_FOUND', `${project.name} has no active run to cancel.`);
  const { run, stopped, ended } = result;
  if (ended) await announceEnded(ctx, ended, 'cancelled');
  await ctx.runtime.redis.set(abortKey(ctx.options.queuePrefix, run.id), '1', 'EX', FLAG_TTL_S);
  for (const s of stopped) await ctx.runtime.removeJob('copy', jobIdFor('copy', { runId: run.id, mailboxRunId: s.id }));
  await ctx.publish({ type: 'run.finished', runId: run.id, projectId: project.id, channelKey: project.channelKey });
  return { ...toRunInfo(run, project), ...(ended ? { hold: await toHoldInfo(ctx, ended.hold) } : {}) };
}
