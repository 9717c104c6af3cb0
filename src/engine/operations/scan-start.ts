import { and, eq, inArray } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Actor, RunInfo } from '../api.js';
import type { EngineContext } from '../context.js';
import { isUniqueViolation } from '../db/errors.js';
import { connections, runs } from '../db/schema.js';
import { newId } from '../ids.js';
import { jobIdFor } from '../queues/jobs.js';
import { writeAudit } from '../policies/audit-writer.js';
import { ADMIN_ONLY, authorize } from '../policies/roles.js';
import { toRunInfo } from '../records.js';
import { findProject } from './project-lookup.js';

const ACTIVE = ['pending_approval', 'queued', 'running'] as const;

/** Creates the scan run and commits; only then queues the job (a job never sees an uncommitted run). */
export async function startScan(ctx: EngineContext, actor: Actor, props: { project: string }): Promise<RunInfo> {
  const project = await findProject(ctx.db, actor.orgId, props.project);
  await authorize(ctx, actor, ADMIN_ONLY, 'scan.start', project.id);
  const conns = await ctx.db.select().from(connections).where(and(eq(connections.projectId, project.id), eq(connections.status, 'valid')));
  const missing = (['source', 'destination'] as const).filter((side) => !conns.some((c) => c.side === side));
  if (missing.length > 0) {
    throw new AppError('NOT_CONNECTED', `${project.name} has no ${missing.join(' or ')} connection yet. Connect it first (\`connect ${project.name}\` in chat), then scan.`, { details: { missing } });
  }
  let run;
  try {
    run = await ctx.db.transaction(async (tx) => {
      const [row] = await tx.insert(runs).values({
        id: newId('run'), projectId: project.id, mode: 'scan', status: 'queued', startedBy: actor.userId, startedByName: actor.userName || actor.userId,
        progress: { mailboxesTotal: 0, mailboxesDone: 0, mailboxesFailed: 0, itemsCounted: 0, bytesCounted: 0 },
      }).returning();
      if (!row) throw new Error('insert returned no row');
      await writeAudit(tx, actor, { action: 'scan.start', outcome: 'allowed', projectId: project.id, detail: { runId: row.id } });
      return row;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const [active] = await ctx.db.select().from(runs).where(and(eq(runs.projectId, project.id), inArray(runs.status, [...ACTIVE]))).limit(1);
    const what = active ? `${active.mode} ${active.id} (${active.status.replace('_', ' ')}, started by ${active.startedByName ?? active.startedBy})` : 'another run';
    throw new AppError('CONFLICT', `${project.name} already has an active ${what}. Wait for it to finish, then scan again.`, {
      details: { runId: active?.id, mode: active?.mode, status: active?.status, startedBy: active?.startedBy, startedByName: active?.startedByName },
    });
  }
  await ctx.enqueue('scan', { runId: run.id }, jobIdFor('scan', { runId: run.id }));
  return toRunInfo(run, project);
}
