/**
 * The copy job of one mailbox run: load, mark started, open both connectors, copy (copy-mailbox.ts),
 * complete or fail with a sentence; verify a completed mailbox (verification.ts) with the connectors
 * still open; then, when it was the run's last mailbox, queue the finalizer.
 * Any attempt may die anywhere: the ledger, intents and cursors make the next one resume exactly.
 */
import { sql } from 'drizzle-orm';
import { AppError, toAppError } from '../../../errors.js';
import type { Connector, MailboxRef } from '../../connectors/types.js';
import type { EngineContext } from '../../context.js';
import { jobIdFor } from '../../queues/jobs.js';
import type { JobControl } from '../../queues/queue-runtime.js';
import { abortKey, alert, logEvent, progressEvent, type RunRef } from './copy-events.js';
import { Cancelled } from './copy-folder.js';
import { rowsOf } from './copy-ledger.js';
import { copyMailbox } from './copy-mailbox.js';
import { Postpone, type CopySession } from './copy-session.js';
import { ensureDestination, loadWork, markStarted, openConnectors, type CopyWork } from './copy-setup.js';
import { checkMailbox, verifyScope, type MailboxCheck } from './verification.js';

const ABORT_POLL_MS = 500;
/**
 * A new attempt of a mailbox whose previous one may still be alive (lost Redis lock, FLUSHALL) waits
 * this long after claiming ownership: the old one sees the owner key within ABORT_POLL_MS and stops
 * between items, so the two never write the same batch.
 */
const TAKEOVER_WAIT_MS = 2000;
type AbortReason = 'cancelled' | 'restart' | 'superseded';

export function ownerKey(prefix: string, mailboxRunId: string): string {
  return `${prefix}:owner:${mailboxRunId}`;
}

/** Set by an attempt that ended cleanly (postponed, retrying, done): its successor need not wait for it. */
function releasedKey(prefix: string, mailboxRunId: string): string {
  return `${prefix}:released:${mailboxRunId}`;
}

async function claim(ctx: EngineContext, mailboxRunId: string, attempt: number, wasRunning: boolean): Promise<void> {
  const prefix = ctx.options.queuePrefix;
  const [previous, released] = await ctx.runtime.redis.mget(ownerKey(prefix, mailboxRunId), releasedKey(prefix, mailboxRunId));
  await ctx.runtime.redis.set(ownerKey(prefix, mailboxRunId), String(attempt), 'EX', 7 * 24 * 3600);
  // Killed or lost (no clean release of the previous attempt): give it the time to notice and stop.
  if (wasRunning && !(previous && previous === released)) await new Promise((r) => setTimeout(r, TAKEOVER_WAIT_MS));
}

/**
 * The check of the mailbox a job just completed, stored only while the mailbox run is still the one
 * that attempt completed. `check` null: it could not be made (stored as JSON null, "not checked": the
 * finalizer checks it), unlike SQL NULL, "the completing job is still checking".
 */
interface CheckToStore { mailboxRunId: string; attempt: number; check: MailboxCheck | null }

/**
 * Queues the finalizer once no mailbox run of the run is pending or running (idempotent: one job id).
 * In the same statement, stores the check of the mailbox this job just completed; the finalizer waits
 * for the checks other jobs are still making (copy-finalize.ts).
 */
export async function maybeFinalize(ctx: EngineContext, runId: string, checked?: CheckToStore): Promise<void> {
  const store = checked
    ? sql`with stored as (update mailbox_runs set verification = ${JSON.stringify(checked.check)}::jsonb
        where id = ${checked.mailboxRunId} and status = 'completed' and attempts = ${checked.attempt} returning id) `
    : sql``;
  const found = await ctx.db.execute(sql`${store}select (select status from runs where id = ${runId}) as status,
    exists (select 1 from mailbox_runs where run_id = ${runId} and status in ('pending', 'running')) as open`);
  const [run] = rowsOf<{ status: string | null; open: boolean }>(found);
  if (!run || run.open || !run.status || !['queued', 'running'].includes(run.status)) return;
  await ctx.enqueue('finalize', { runId }, jobIdFor('finalize', { runId }));
}

/** The check of a mailbox this attempt just completed, with its own connectors (check null when it cannot be made). */
async function checkCompleted(ctx: EngineContext, work: CopyWork, destinationRef: MailboxRef, connectors: { source: Connector; destination: Connector }, attempt: number): Promise<CheckToStore> {
  const stored = { mailboxRunId: work.mailboxRun.id, attempt };
  try {
    const target = { mappingId: work.mapping.id, source: work.sourceRef, destination: destinationRef, status: 'completed' };
    return { ...stored, check: await checkMailbox(ctx, verifyScope(work.mode, work.options), connectors.source, connectors.destination, target, true) };
  } catch (error) {
    ctx.log.warn({ mailboxRunId: work.mailboxRun.id, err: String(error) }, 'mailbox verification failed; the finalizer checks it');
    return { ...stored, check: null };
  }
}

/** Aborts when the run is cancelled or the watchdog asks this mailbox to restart (Redis flags), or BullMQ cancels the job. */
function abortWatch(ctx: EngineContext, runId: string, mailboxRunId: string, attempt: number, jobSignal?: AbortSignal) {
  const controller = new AbortController();
  const prefix = ctx.options.queuePrefix;
  const keys = [abortKey(prefix, runId), abortKey(prefix, mailboxRunId), ownerKey(prefix, mailboxRunId)];
  let reason: AbortReason | null = null;
  const onJob = () => controller.abort();
  jobSignal?.addEventListener('abort', onJob, { once: true });
  const timer = setInterval(() => {
    ctx.runtime.redis.mget(...keys).then(([run, mailbox, owner]) => {
      if (run) reason = 'cancelled';
      else if (mailbox) reason = 'restart';
      else if (owner && owner !== String(attempt)) reason = 'superseded';
      if (reason) controller.abort();
    }, () => undefined);
  }, ABORT_POLL_MS);
  return {
    signal: controller.signal,
    reason: () => reason,
    stop: () => { clearInterval(timer); jobSignal?.removeEventListener('abort', onJob); },
  };
}

export async function runCopyMailbox(ctx: EngineContext, data: { runId: string; mailboxRunId: string }, job: JobControl): Promise<void> {
  const work = await loadWork(ctx, data.mailboxRunId);
  if (!work) return maybeFinalize(ctx, data.runId);
  const attempt = await markStarted(ctx, work);
  if (attempt === 0) return;
  await claim(ctx, work.mailboxRun.id, attempt, work.mailboxRun.status === 'running');
  const run: RunRef = { runId: work.run.id, projectId: work.project.id, channelKey: work.project.channelKey };
  const mailbox = { mailboxRunId: work.mailboxRun.id, address: work.sourceRef.address };
  await progressEvent(ctx, run);
  const watch = abortWatch(ctx, run.runId, mailbox.mailboxRunId, attempt, job.signal);
  let postponeMs: number | null = null;
  let checked: CheckToStore | undefined;
  try {
    const connectors = await openConnectors(ctx, work.project.id, work.connections);
    try {
      const destinationRef = await ensureDestination(ctx, work, connectors.destination, watch.signal);
      const session: CopySession = {
        ctx, run, mode: work.mode, options: work.options, mailboxRunId: mailbox.mailboxRunId, mappingId: work.mapping.id, address: mailbox.address,
        source: connectors.source, destination: connectors.destination, sourceRef: work.sourceRef, destinationRef,
        signal: watch.signal, job, attempt, cursors: new Map(), freshLedger: false, mayHaveFailures: true, throttled: null, throttleReason: null, lastThrottleLog: 0,
      };
      await copyMailbox(session);
      // Verified here, while other mailboxes still copy, rather than all at once by the finalizer.
      if (await complete(ctx, run, mailbox, attempt)) checked = await checkCompleted(ctx, work, destinationRef, connectors, attempt);
    } finally {
      await connectors.close();
    }
  } catch (error) {
    if (error instanceof Postpone) postponeMs = error.ms;
    else await onFailure(ctx, run, mailbox, error, watch.reason(), job);
  } finally {
    watch.stop();
    // Every way out of here is clean (even a rethrow for BullMQ's retry): only a killed process skips this.
    if (watch.reason() !== 'superseded') await ctx.runtime.redis.set(releasedKey(ctx.options.queuePrefix, mailbox.mailboxRunId), String(attempt), 'EX', 7 * 24 * 3600).catch(() => undefined);
  }
  await progressEvent(ctx, run);
  if (postponeMs !== null) await job.postpone(postponeMs);
  await maybeFinalize(ctx, run.runId, checked);
}

/** Completes the mailbox run and logs it (one statement); false when this attempt no longer owns it. */
async function complete(ctx: EngineContext, run: RunRef, mailbox: { mailboxRunId: string; address: string }, attempt: number): Promise<boolean> {
  const done = await ctx.db.execute(sql`
    with done as (
      update mailbox_runs set status = 'completed', finished_at = ${ctx.now()}, last_progress_at = ${ctx.now()},
        health = case when items_failed > 0 then 'degraded' else 'healthy' end,
        health_reason = case when items_failed > 0 then items_failed || ' items failed' else null end
      where id = ${mailbox.mailboxRunId} and status = 'running' and attempts = ${attempt} returning id, items_done, items_failed),
    logged as (
      insert into mailbox_run_events (mailbox_run_id, level, message)
      select id, case when items_failed > 0 then 'warn' else 'info' end, 'Completed: ' || items_done || ' items copied, ' || items_failed || ' failed' from done)
    select items_done as "itemsDone", items_failed as "itemsFailed" from done`);
  const [row] = rowsOf<{ itemsDone: number | string; itemsFailed: number | string }>(done);
  if (!row) return false;
  const failed = Number(row.itemsFailed);
  if (failed > 0) await alert(ctx, run, mailbox, 'warn', `${mailbox.address}: completed with ${failed} failed items; \`retry\` re-attempts them.`);
  return true;
}

async function onFailure(ctx: EngineContext, run: RunRef, mailbox: { mailboxRunId: string; address: string }, error: unknown, aborted: AbortReason | null, job: JobControl): Promise<void> {
  // Cancelled, or a newer attempt owns the mailbox now: this one just stops.
  if (aborted === 'cancelled' || aborted === 'superseded' || error instanceof Cancelled) return;
  if (aborted === 'restart') {
    // The watchdog found this mailbox stalled: clear its flag and let BullMQ retry with backoff.
    await ctx.runtime.redis.del(abortKey(ctx.options.queuePrefix, mailbox.mailboxRunId));
    throw new AppError('CONNECTION_FAILED', 'No progress for too long; restarting the mailbox.', { retryable: true });
  }
  const appError = toAppError(error);
  const retryable = appError.retryable || !(error instanceof AppError);
  if (retryable && !job.finalAttempt) {
    await logEvent(ctx.db, mailbox.mailboxRunId, 'warn', `Interrupted: ${appError.userMessage} Resuming from the last checkpoint.`);
    throw error;
  }
  ctx.log.warn({ mailboxRunId: mailbox.mailboxRunId, code: appError.code, err: String(error) }, 'mailbox copy failed');
  const failed = await ctx.db.execute(sql`update mailbox_runs set status = 'failed', health = 'failed', health_reason = ${appError.userMessage},
    error = ${appError.userMessage}, finished_at = ${ctx.now()} where id = ${mailbox.mailboxRunId} and status in ('pending', 'running') returning id`);
  if (rowsOf(failed).length === 0) return;
  await logEvent(ctx.db, mailbox.mailboxRunId, 'error', `Failed: ${appError.userMessage}`);
  await alert(ctx, run, mailbox, 'error', `${mailbox.address} failed: ${appError.userMessage}`);
}
