import { asc, desc, eq, sql } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Actor, RunDetail, RunMode } from '../api.js';
import type { EngineContext } from '../context.js';
import { mailboxes, mailboxRuns, projects, runs } from '../db/schema.js';
import { holdInfoOfRun, type HoldReader } from '../credits/hold-records.js';
import { ANY_ROLE, authorize } from '../policies/roles.js';
import { latestRunRow, toMailboxRunInfo, toRunInfo } from '../records.js';
import { findProject } from './project-lookup.js';

export const MAILBOX_RUNS_SHOWN = 200;

async function detail(reader: HoldReader, run: typeof runs.$inferSelect, project: typeof projects.$inferSelect): Promise<RunDetail> {
  const { db } = reader;
  // A 10,000-mailbox run must stay cheap to read on every progress event: the rows worth showing first, capped.
  // Unhealthy running ones (stalled, throttled, degraded) come right after the failed: a card shows them with their reason.
  const rank = sql`case
    when ${mailboxRuns.status} = 'failed' then 0
    when ${mailboxRuns.status} = 'running' and ${mailboxRuns.health} <> 'healthy' then 1
    when ${mailboxRuns.status} = 'running' then 2
    when ${mailboxRuns.status} = 'pending' then 3
    else 4 end`;
  const recentFirst = sql`case when ${mailboxRuns.status} = 'running' then ${mailboxRuns.lastProgressAt} end desc nulls last`;
  const rows = await db.select().from(mailboxRuns).innerJoin(mailboxes, eq(mailboxRuns.mailboxId, mailboxes.id))
    .where(eq(mailboxRuns.runId, run.id)).orderBy(rank, recentFirst, desc(mailboxes.side), asc(mailboxes.address)).limit(MAILBOX_RUNS_SHOWN);
  const hold = run.mode === 'full' ? await holdInfoOfRun(reader, run.id) : null;
  return { ...toRunInfo(run, project), hold, mailboxRuns: rows.map((r) => toMailboxRunInfo(r.mailbox_runs, r.mailboxes)) };
}

/** No actor: the notifier reads runs it heard about over events. */
export async function getRun(ctx: EngineContext, runId: string): Promise<RunDetail> {
  const [row] = await ctx.db.select().from(runs).innerJoin(projects, eq(runs.projectId, projects.id)).where(eq(runs.id, runId)).limit(1);
  if (!row) throw new AppError('NOT_FOUND', `There is no run ${runId}.`);
  return detail(ctx, row.runs, row.projects);
}

export async function latestRun(ctx: EngineContext, actor: Actor, props: { project: string; mode?: RunMode }): Promise<RunDetail | null> {
  const project = await findProject(ctx.db, actor.orgId, props.project);
  await authorize(ctx, actor, ANY_ROLE, 'run.read', project.id);
  const run = await latestRunRow(ctx.db, project.id, props.mode);
  return run ? detail(ctx, run, project) : null;
}
