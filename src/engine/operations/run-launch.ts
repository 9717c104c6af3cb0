import { and, eq, inArray, sql } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Actor, CreditLine, HoldInfo, RunInfo, RunMode, RunOptions } from '../api.js';
import type { EngineContext } from '../context.js';
import { computeNeed } from '../credits/credit-need.js';
import { readAccount } from '../credits/credit-ledger.js';
import { readPolicy } from '../credits/credit-policy.js';
import { createHold, insufficient, reserveOrRefuse } from '../credits/hold-creator.js';
import { toHoldInfo, type HoldRow } from '../credits/hold-records.js';
import type { DbOrTx } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { connections, mailboxRunEvents, mailboxRuns, mappings, runs } from '../db/schema.js';
import { newId } from '../ids.js';
import { rowsOf } from '../migrate/copy/copy-ledger.js';
import { openConnectors } from '../migrate/copy/copy-setup.js';
import { writeAudit } from '../policies/audit-writer.js';
import { ADMIN_ONLY, authorize } from '../policies/roles.js';
import { jobIdFor } from '../queues/jobs.js';
import { latestRunRow, toRunInfo } from '../records.js';
import { findProject, type ProjectRow } from './project-lookup.js';

type CopyMode = Exclude<RunMode, 'scan'>;
const ACTIVE = ['pending_approval', 'queued', 'running'] as const;
const MODES: readonly CopyMode[] = ['structure', 'full', 'delta', 'retry'];

/**
 * The status a new run starts in: a full run that costs credits waits in pending_approval until its
 * hold is approved (DESIGN §5); everything else (and a full run of licensed or free mailboxes) is queued at once.
 */
function initialStatus(need: number): 'queued' | 'pending_approval' {
  return need > 0 ? 'pending_approval' : 'queued';
}

interface Charge { need: number; lines: CreditLine[]; policy: Awaited<ReturnType<typeof readPolicy>> }

/** A full run's credit need, refused at once (nothing created) when the org cannot cover it. */
async function chargeOf(ctx: EngineContext, actor: Actor, project: ProjectRow, mode: CopyMode): Promise<Charge | null> {
  if (mode !== 'full') return null;
  const policy = await readPolicy(ctx.db, actor.orgId);
  const { need, lines } = await computeNeed(ctx.db, { orgId: actor.orgId, projectId: project.id, policy, now: ctx.now() });
  if (need === 0) return null;
  const account = await readAccount(ctx.db, actor.orgId);
  const available = account.balance - account.held;
  if (available < need) {
    await writeAudit(ctx.db, actor, { action: 'run.launch', outcome: 'failed', projectId: project.id, detail: { mode, need, available, reason: 'insufficient credits' } });
    throw insufficient(project.name, actor.orgId, { need, available, shortfall: need - available, lines });
  }
  return { need, lines, policy };
}

function checkOptions(options: RunOptions): RunOptions {
  for (const key of ['from', 'to'] as const) {
    const value = options[key];
    if (value !== undefined && Number.isNaN(Date.parse(value))) throw new AppError('BAD_INPUT', `"${value}" is not a date for ${key}; use YYYY-MM-DD.`);
  }
  if (options.mail === false && options.calendars === false && options.contacts === false) {
    throw new AppError('BAD_INPUT', 'This full run would move nothing: keep at least one of mail, calendars and contacts.');
  }
  return options;
}

async function preconditions(ctx: EngineContext, project: ProjectRow): Promise<void> {
  const conns = await ctx.db.select().from(connections).where(and(eq(connections.projectId, project.id), eq(connections.status, 'valid')));
  const missing = (['source', 'destination'] as const).filter((side) => !conns.some((c) => c.side === side));
  if (missing.length > 0) {
    throw new AppError('NOT_CONNECTED', `${project.name} has no ${missing.join(' or ')} connection yet. Connect it first (\`connect ${project.name}\` in chat), then scan.`, { details: { missing } });
  }
  const scan = await latestRunRow(ctx.db, project.id, 'scan');
  if (!scan || scan.status !== 'completed') {
    throw new AppError('NOT_SCANNED', `${project.name} has no completed scan yet. Scan it (\`scan ${project.name}\` in chat or \`npm run cli -- project scan ${project.name}\`) and review the matches, then launch.`);
  }
}

/** Mappings this run covers: matched and create_missing; retry only those with something to retry. */
async function coveredMappings(db: DbOrTx, projectId: string, mode: CopyMode) {
  const all = await db.select().from(mappings).where(and(eq(mappings.projectId, projectId), inArray(mappings.status, ['matched', 'create_missing'])));
  if (mode !== 'retry') return all;
  const open = rowsOf<{ id: string }>(await db.execute(sql`
    select m.id from mappings m where m.project_id = ${projectId} and (
      exists (select 1 from item_failures f where f.mapping_id = m.id and not f.resolved)
      or (select mr.status from mailbox_runs mr join runs r on r.id = mr.run_id where mr.mapping_id = m.id and r.mode <> 'scan'
          order by r.created_at desc limit 1) in ('failed', 'cancelled'))`));
  const ids = new Set(open.map((r) => r.id));
  return all.filter((m) => ids.has(m.id));
}

async function canCreateMailboxes(ctx: EngineContext, projectId: string): Promise<boolean> {
  const opened = await openConnectors(ctx, projectId);
  try {
    return opened.destination.capabilities.createMailboxes;
  } finally {
    await opened.close();
  }
}

/** Creates the run and one mailbox run per mapping, commits, and only then queues the jobs. */
export async function launchRun(ctx: EngineContext, actor: Actor, props: { project: string; mode: CopyMode; options?: RunOptions }): Promise<RunInfo> {
  const project = await findProject(ctx.db, actor.orgId, props.project);
  await authorize(ctx, actor, ADMIN_ONLY, 'run.launch', project.id);
  if (!MODES.includes(props.mode)) throw new AppError('BAD_INPUT', `"${props.mode}" is not a run mode; use full, delta, structure or retry.`);
  const options = props.mode === 'full' ? checkOptions(props.options ?? {}) : {};
  await preconditions(ctx, project);
  const covered = await coveredMappings(ctx.db, project.id, props.mode);
  if (covered.length === 0) {
    throw new AppError('BAD_INPUT', props.mode === 'retry'
      ? `Nothing to retry in ${project.name}: no failed items or mailboxes.`
      : `${project.name} has no matched mailboxes to migrate. Review the matches (\`match ${project.name}\` in chat or \`npm run cli -- project match ${project.name}\`).`);
  }
  const creatable = covered.some((m) => !m.destinationMailboxId) ? await canCreateMailboxes(ctx, project.id) : true;
  const charge = await chargeOf(ctx, actor, project, props.mode);
  let created;
  try {
    created = await ctx.db.transaction(async (tx) => {
      const [run] = await tx.insert(runs).values({
        id: newId('run'), projectId: project.id, mode: props.mode, status: initialStatus(charge?.need ?? 0), startedBy: actor.userId, startedByName: actor.userName || actor.userId,
        options: options as Record<string, unknown>, progress: { mailboxesTotal: covered.length, mailboxesDone: 0, mailboxesFailed: 0, itemsDone: 0, itemsFailed: 0, bytesDone: 0 },
      }).returning();
      if (!run) throw new Error('insert returned no row');
      const rows = covered.map((m) => {
        const cannot = !m.destinationMailboxId && !creatable;
        const sentence = `destination mailbox ${m.destinationAddress ?? '(none)'} does not exist; create it and run retry`;
        return { id: newId('mbr'), runId: run.id, mailboxId: m.sourceMailboxId, mappingId: m.id, status: cannot ? 'failed' as const : 'pending' as const,
          ...(cannot ? { health: 'failed' as const, healthReason: sentence, error: sentence, finishedAt: ctx.now() } : {}) };
      });
      for (let i = 0; i < rows.length; i += 500) await tx.insert(mailboxRuns).values(rows.slice(i, i + 500));
      const refused = rows.filter((r) => r.status === 'failed');
      for (let i = 0; i < refused.length; i += 500) {
        await tx.insert(mailboxRunEvents).values(refused.slice(i, i + 500).map((r) => ({ mailboxRunId: r.id, level: 'error' as const, message: `Failed: ${r.error}` })));
      }
      await setTotals(tx, run.id, props.mode, options);
      // The account row is locked here, after the run row (the lock order of credits/hold-releaser.ts): concurrent
      // launches of the org reserve one after another and never over-commit; a refusal rolls the run back.
      const available = charge ? await reserveOrRefuse(tx, { orgId: actor.orgId, projectName: project.name, need: charge.need, lines: charge.lines }) : 0;
      const hold: HoldRow | null = charge ? await createHold(tx, {
        orgId: actor.orgId, projectId: project.id, projectName: project.name, runId: run.id, actor, need: charge.need, available, lines: charge.lines, policy: charge.policy, now: ctx.now(),
      }) : null;
      await writeAudit(tx, actor, { action: 'run.launch', outcome: 'allowed', projectId: project.id, detail: { runId: run.id, mode: props.mode, options, mailboxes: rows.length, ...(hold ? { holdId: hold.id, credits: hold.amount } : {}) } });
      return { run, pending: rows.filter((r) => r.status === 'pending'), hold };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const [active] = await ctx.db.select().from(runs).where(and(eq(runs.projectId, project.id), inArray(runs.status, [...ACTIVE]))).limit(1);
    const what = active ? `${active.mode} run ${active.id} (${active.status.replace('_', ' ')}, started by ${active.startedByName ?? active.startedBy})` : 'run';
    throw new AppError('CONFLICT', `${project.name} already has an active ${what}. Wait for it to finish or cancel it, then launch again.`, {
      details: { runId: active?.id, mode: active?.mode, status: active?.status, startedBy: active?.startedBy, startedByName: active?.startedByName },
    });
  }
  const { run, pending } = created;
  if (run.status === 'queued') {
    for (const r of pending) await ctx.enqueue('copy', { runId: run.id, mailboxRunId: r.id }, jobIdFor('copy', { runId: run.id, mailboxRunId: r.id }));
    if (pending.length === 0) await ctx.enqueue('finalize', { runId: run.id }, jobIdFor('finalize', { runId: run.id }));
  }
  let hold: HoldInfo | null = null;
  if (created.hold) {
    hold = await toHoldInfo(ctx, created.hold);
    await ctx.publish({ type: 'hold.created', runId: run.id, projectId: project.id, channelKey: project.channelKey, orgId: actor.orgId, holdId: hold.id });
  }
  return { ...toRunInfo(run, project), hold };
}

/** Items each mailbox is expected to move (for the ETA): full from the scan minus what the ledger holds; retry its failures. */
async function setTotals(tx: DbOrTx, runId: string, mode: CopyMode, options: RunOptions): Promise<void> {
  if (mode === 'full') {
    const mail = options.mail === false ? 0 : 1;
    const events = options.calendars === false ? 0 : 1;
    const contacts = options.contacts === false ? 0 : 1;
    await tx.execute(sql`update mailbox_runs mr set items_total = greatest(0,
        coalesce(m.mail, 0) * ${mail} + coalesce(m.events, 0) * ${events} + coalesce(m.contacts, 0) * ${contacts}
        - (select count(*) from item_ledger l where l.mapping_id = mr.mapping_id))
      from mailboxes m where m.id = mr.mailbox_id and mr.run_id = ${runId}`);
  } else if (mode === 'retry') {
    await tx.execute(sql`update mailbox_runs mr set items_total = (select count(*) from item_failures f where f.mapping_id = mr.mapping_id and not f.resolved)
      where mr.run_id = ${runId}`);
  }
}
