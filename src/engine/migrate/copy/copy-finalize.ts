/**
 * The run finalizer: once every mailbox run is terminal, build the verification (verification.ts:
 * the checks the copy jobs stored, a fresh one for the other mailboxes), store it in run.summary,
 * and set the run's final status. Idempotent: a finished run is left alone.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { RunOptions } from '../../api.js';
import type { EngineContext } from '../../context.js';
import { releaseAtRunEnd } from '../../credits/hold-settler.js';
import { mailboxes, mailboxRuns, mappings, projects, runs } from '../../db/schema.js';
import { refreshRunProgress } from './copy-events.js';
import { rowsOf } from './copy-ledger.js';
import { openConnectors, plannedRef, refOf } from './copy-setup.js';
import { storedCheck, verifyRun, verifyScope, type VerifyTarget } from './verification.js';

/**
 * A copy job stores its mailbox's check moments after completing it (copy-job.ts), so the last jobs of
 * a run may still be checking when the finalizer starts: it waits for them, this long at most (a job
 * that died in between), then checks those mailboxes itself.
 */
const CHECK_WAIT_MS = 30_000;
const CHECK_POLL_MS = 50;

/** Waits while a mailbox completed within CHECK_WAIT_MS has no check yet (SQL NULL: its job is still making it). */
async function awaitChecks(ctx: EngineContext, runId: string): Promise<void> {
  const deadline = Date.now() + CHECK_WAIT_MS;
  for (;;) {
    const since = new Date(ctx.now().getTime() - CHECK_WAIT_MS);
    const [row] = rowsOf<{ waiting: boolean }>(await ctx.db.execute(sql`select exists (select 1 from mailbox_runs where run_id = ${runId}
      and status = 'completed' and verification is null and finished_at > ${since}) as waiting`));
    if (!row?.waiting || Date.now() >= deadline) return;
    await new Promise((r) => setTimeout(r, CHECK_POLL_MS));
  }
}

export async function finalizeRun(ctx: EngineContext, runId: string): Promise<void> {
  const [found] = await ctx.db.select().from(runs).innerJoin(projects, eq(runs.projectId, projects.id)).where(eq(runs.id, runId));
  if (!found || found.runs.mode === 'scan') return;
  if (!['queued', 'running'].includes(found.runs.status)) {
    // Finished already (a twin finalizer, or a crash after the status): make sure its hold is settled too.
    if (found.runs.status !== 'pending_approval') await releaseAtRunEnd(ctx, runId);
    return;
  }
  await awaitChecks(ctx, runId);
  const rows = await ctx.db.select().from(mailboxRuns).innerJoin(mappings, eq(mailboxRuns.mappingId, mappings.id)).where(eq(mailboxRuns.runId, runId));
  if (rows.some((r) => ['pending', 'running'].includes(r.mailbox_runs.status))) return;
  const ids = [...new Set(rows.flatMap((r) => [r.mappings.sourceMailboxId, r.mappings.destinationMailboxId ?? '']))].filter(Boolean);
  const boxes = new Map((ids.length ? await ctx.db.select().from(mailboxes).where(inArray(mailboxes.id, ids)) : []).map((m) => [m.id, m]));
  const targets: VerifyTarget[] = rows.flatMap((r) => {
    const source = boxes.get(r.mappings.sourceMailboxId);
    const destination = r.mappings.destinationMailboxId ? boxes.get(r.mappings.destinationMailboxId) : undefined;
    const address = destination?.address ?? r.mappings.destinationAddress;
    if (!source || !address) return [];
    // Only a completed mailbox's check is final: a failed or cancelled one is checked now, as it stands.
    const checked = r.mailbox_runs.status === 'completed' ? storedCheck(r.mailbox_runs.verification) : null;
    return [{ mappingId: r.mappings.id, source: refOf(source), destination: destination ? refOf(destination) : plannedRef(address), status: r.mailbox_runs.status, checked }];
  });
  const scope = verifyScope(found.runs.mode, found.runs.options as RunOptions);
  const verification = await verifyRun(ctx, { id: runId, projectName: found.projects.name, ...scope }, targets, () => openConnectors(ctx, found.projects.id));
  const everyFailed = rows.length > 0 && rows.every((r) => r.mailbox_runs.status === 'failed');
  await refreshRunProgress(ctx.db, runId);
  const [moved] = await ctx.db.update(runs).set({
    status: everyFailed ? 'failed' : 'completed', finishedAt: ctx.now(), summary: { verification },
    error: everyFailed ? `Every mailbox failed; the first said: ${rows[0]?.mailbox_runs.error ?? 'unknown error'}` : null,
  }).where(and(eq(runs.id, runId), inArray(runs.status, ['queued', 'running']))).returning();
  if (moved) await ctx.publish({ type: 'run.finished', runId, projectId: found.projects.id, channelKey: found.projects.channelKey });
  // The run is over: release what its hold did not consume (idempotent, so a second finalizer changes nothing).
  await releaseAtRunEnd(ctx, runId);
}
