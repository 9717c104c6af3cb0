import { and, desc, eq, inArray } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Actor, VerificationInfo } from '../api.js';
import type { EngineContext } from '../context.js';
import { runs } from '../db/schema.js';
import { ANY_ROLE, authorize } from '../policies/roles.js';
import { findProject } from './project-lookup.js';

/** The verification stored by the finalizer of a copy run: the given run, or the project's latest finished copy run. */
export async function getVerification(ctx: EngineContext, actor: Actor, props: { project: string; runId?: string }): Promise<VerificationInfo | null> {
  const project = await findProject(ctx.db, actor.orgId, props.project);
  await authorize(ctx, actor, ANY_ROLE, 'run.verification', project.id);
  const copyModes = ['structure', 'full', 'delta', 'retry'] as const;
  const where = props.runId
    ? and(eq(runs.projectId, project.id), eq(runs.id, props.runId))
    : and(eq(runs.projectId, project.id), inArray(runs.mode, [...copyModes]), inArray(runs.status, ['completed', 'failed']));
  const [run] = await ctx.db.select().from(runs).where(where).orderBy(desc(runs.createdAt), desc(runs.id)).limit(1);
  if (props.runId && !run) throw new AppError('NOT_FOUND', `There is no run ${props.runId} in ${project.name}.`);
  return (run?.summary as { verification?: VerificationInfo } | null)?.verification ?? null;
}
