/**
 * The run finalizer: once every mailbox run is terminal, verify (verification.ts), store the
 * verification in run.summary, and set the run's final status. Idempotent: a finished run is left alone.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { RunOptions } from '../../api.js';
import type { EngineContext } from '../../context.js';
import { releaseAtRunEnd } from '../../credits/hold-settler.js';
import { mailboxes, mailboxRuns, mappings, projects, runs } from '../../db/schema.js';
import { refreshRunProgress } from './copy-events.js';
import { runItemTypes } from './run-item-types.js';
import { openConnectors, plannedRef, refOf } from './copy-setup.js';
import { verifyRun, type VerifyTarget } from './verification.js';

export async function finalizeRun(ctx: EngineContext, runId: string): Promise<void> {
  const [found] = await ctx.db.select().from(runs).innerJoin(projects, eq(runs.projectId, projects.id)).where(eq(runs.id, runId));
  if (!found || found.runs.mode === 'scan') return;
  if (!['queued', 'running'].includes(found.runs.status)) {
    // Finished already (a twin finalizer, or a crash after the status): make sure its hold is settled too.
    if (found.runs.status !== 'pending_approval') await releaseAtRunEnd(ctx, runId);
    return;
  }
  const rows = await ctx.db.select().from(mailboxRuns).innerJoin(mappings, eq(mailboxRuns.mappingId, mappings.id)).where(eq(mailboxRuns.runId, runId));
  if (rows.some((r) => ['pending', 'running'].includes(r.mailbox_runs.status))) return;
  const ids = [...new Set(rows.flatMap((r) => [r.mappings.sourceMailboxId, r.mappings.destinationMailboxId ?? '']))].filter(Boolean);
  const boxes = new Map((ids.length ? await ctx.db.select().from(mailboxes).where(inArray(mailboxes.id, ids)) : []).map((m) => [m.id, m]));
  const targets: VerifyTarget[] = rows.flatMap((r) => {
    const source = boxes.get(r.mappings.sourceMailboxId);
    const destination = r.mappings.destinationMailboxId ? boxes.get(r.mappings.destinationMailboxId) : undefined;
    const address = destination?.address ?? r.mappings.destinationAddress;
    if (!source || !address) return [];
    return [{ mappingId: r.mappings.id, source: refOf(source), destination: destination ? refOf(destination) : plannedRef(address), status: r.mailbox_runs.status }];
  });
  const connectors = await openConnectors(ctx, found.projects.id);
  let verification;
  try {
    const options = found.runs.options as RunOptions;
    const dated = Boolean(options.from ?? options.to);
    const itemTypes = runItemTypes(found.runs.mode, options);
    verification = await verifyRun(ctx, { id: runId, mode: found.runs.mode, projectName: found.projects.name, dated, itemTypes }, connectors.source, connectors.destination, targets);
  } finally {
    await connectors.close();
  }
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
