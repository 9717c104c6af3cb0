import { asc, eq } from 'drizzle-orm';
import type { Actor, ProjectInfo } from '../api.js';
import type { EngineContext } from '../context.js';
import { projects } from '../db/schema.js';
import { ANY_ROLE, authorize } from '../policies/roles.js';
import { toProjectInfo } from '../records.js';
import { findProject } from './project-lookup.js';

export async function listProjects(ctx: EngineContext, actor: Actor): Promise<ProjectInfo[]> {
  await authorize(ctx, actor, ANY_ROLE, 'project.list');
  const rows = await ctx.db.select().from(projects).where(eq(projects.orgId, actor.orgId)).orderBy(asc(projects.createdAt), asc(projects.name));
  const result: ProjectInfo[] = [];
  for (const row of rows) result.push(await toProjectInfo(ctx.db, row));
  return result;
}

export async function getProject(ctx: EngineContext, actor: Actor, props: { project: string }): Promise<ProjectInfo> {
  await authorize(ctx, actor, ANY_ROLE, 'project.read');
  return toProjectInfo(ctx.db, await findProject(ctx.db, actor.orgId, props.project));
}
