import { and, eq, inArray, sql } from 'drizzle-orm';
import { AppError, toAppError } from '../../errors.js';
import type { Connector, MailboxRef, MailboxStats } from '../connectors/types.js';
import type { EngineContext } from '../context.js';
import { connections, mailboxes, mailboxRuns, projects, runs } from '../db/schema.js';
import { newId } from '../ids.js';
import { decryptSettings } from '../secrets.js';
import { runBounded } from './bounded-pool.js';
import { ScanCheckpoint, type ScanOutcome } from './scan-checkpoint.js';
import { suggestMappings } from './match-suggester.js';
import { summarizeScan } from './scan-summary.js';

/** Mailboxes counted at once: each count is a few round trips (sign-in, LIST), so latency, not CPU, bounds it. */
const SCAN_CONCURRENCY = 8;
const THROTTLE_ATTEMPTS = 6;
const PROGRESS_EVERY_MS = 1000;

type Side = 'source' | 'destination';
type ProjectRow = typeof projects.$inferSelect;

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => { clearTimeout(timer); resolve(); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A throttled stats call is retried after the platform's delay; other failures are the mailbox's. */
async function statsWithRetry(connector: Connector, mailbox: MailboxRef, signal?: AbortSignal): Promise<MailboxStats> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connector.mailboxStats(mailbox, signal);
    } catch (error) {
      if (!AppError.is(error, 'THROTTLED') || attempt >= THROTTLE_ATTEMPTS || signal?.aborted) throw error;
      await wait(error.retryAfterMs ?? 1000 * attempt, signal);
    }
  }
}

async function listAll(connector: Connector, signal?: AbortSignal): Promise<MailboxRef[]> {
  const all: MailboxRef[] = [];
  let page: string | undefined;
  do {
    let result;
    for (let attempt = 1; ; attempt++) {
      try { result = await connector.listMailboxes(page, signal); break; } catch (error) {
        if (!AppError.is(error, 'THROTTLED') || attempt >= THROTTLE_ATTEMPTS) throw error;
        await wait(error.retryAfterMs ?? 1000, signal);
      }
    }
    all.push(...result.mailboxes);
    page = result.nextPage;
  } while (page && !signal?.aborted);
  return all;
}

/** Recomputed from the rows, so a job that runs twice or resumes never double-counts. */
async function refreshProgress(ctx: EngineContext, runId: string): Promise<void> {
  await ctx.db.execute(sql`
    update runs set progress = (
      select jsonb_build_object(
        'mailboxesTotal', count(*),
        'mailboxesDone', count(*) filter (where mr.status = 'completed'),
        'mailboxesFailed', count(*) filter (where mr.status = 'failed'),
        'itemsCounted', coalesce(sum(coalesce(m.mail,0) + coalesce(m.events,0) + coalesce(m.contacts,0)) filter (where mr.status = 'completed'), 0),
        'bytesCounted', coalesce(sum(coalesce(m.bytes,0)) filter (where mr.status = 'completed'), 0))
      from mailbox_runs mr join mailboxes m on m.id = mr.mailbox_id where mr.run_id = ${runId})
    where id = ${runId}`);
}

const CHUNK = 500;

interface Work { side: Side; runRowId: string; mailboxId: string; ref: MailboxRef }

/** Upserts the side's mailboxes (by external id, in chunks) and a mailbox run for each; returns those still to scan. */
async function registerMailboxes(ctx: EngineContext, project: ProjectRow, runId: string, side: Side, listed: MailboxRef[]): Promise<Work[]> {
  const refs = [...new Map(listed.map((r) => [r.id, r])).values()];
  const now = ctx.now();
  // One JSON parameter per chunk: thousands of bound parameters cost more to build and parse than the rows.
  for (let i = 0; i < refs.length; i += CHUNK) {
    const rows = refs.slice(i, i + CHUNK).map((ref) => ({ id: newId('mbx'), run_row: newId('mbr'), external_id: ref.id, address: ref.address.toLowerCase(), display_name: ref.displayName, kind: ref.kind }));
    await ctx.db.transaction(async (tx) => {
      await tx.execute(sql`
        insert into mailboxes (id, project_id, side, external_id, address, display_name, kind, last_scan_run_id)
        select t.id, ${project.id}, ${side}, t.external_id, t.address, t.display_name, t.kind, ${runId}
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as t(id text, external_id text, address text, display_name text, kind text)
        on conflict (project_id, side, external_id) do update set address = excluded.address, display_name = excluded.display_name,
          kind = excluded.kind, last_scan_run_id = excluded.last_scan_run_id, updated_at = ${now}`);
      await tx.execute(sql`
        insert into mailbox_runs (id, run_id, mailbox_id, status)
        select t.run_row, ${runId}, m.id, 'pending'
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as t(run_row text, external_id text)
        join mailboxes m on m.project_id = ${project.id} and m.side = ${side} and m.external_id = t.external_id
        on conflict (run_id, mailbox_id) do nothing`);
    });
  }
  const byExternal = new Map(refs.map((r) => [r.id, r]));
  const open = await ctx.db.select({ runRowId: mailboxRuns.id, mailboxId: mailboxes.id, externalId: mailboxes.externalId })
    .from(mailboxRuns).innerJoin(mailboxes, eq(mailboxRuns.mailboxId, mailboxes.id))
    .where(and(eq(mailboxRuns.runId, runId), eq(mailboxes.side, side), inArray(mailboxRuns.status, ['pending', 'running'])));
  return open.flatMap((o) => {
    const ref = byExternal.get(o.externalId);
    return ref ? [{ side, runRowId: o.runRowId, mailboxId: o.mailboxId, ref }] : [];
  });
}

export interface ScanJobContext { signal?: AbortSignal; /** On the last attempt a retryable failure fails the run instead of retrying. */ finalAttempt?: boolean }

/** The scan job: list both sides, count every mailbox, checkpoint per mailbox, summarize, suggest matches. */
export async function runScan(ctx: EngineContext, runId: string, job: ScanJobContext = {}): Promise<void> {
  const [found] = await ctx.db.select().from(runs).innerJoin(projects, eq(runs.projectId, projects.id)).where(eq(runs.id, runId));
  if (!found || !['queued', 'running'].includes(found.runs.status)) return;
  const project = found.projects;
  const event = (type: 'run.progress' | 'run.finished') => ctx.publish({ type, runId, projectId: project.id, channelKey: project.channelKey });
  await ctx.db.update(runs).set({ status: 'running', startedAt: found.runs.startedAt ?? ctx.now() }).where(eq(runs.id, runId));
  await event('run.progress');
  const opened: Connector[] = [];
  try {
    const conns = await ctx.db.select().from(connections).where(eq(connections.projectId, project.id));
    const connectors = {} as Record<Side, Connector>;
    for (const side of ['source', 'destination'] as const) {
      const conn = conns.find((c) => c.side === side);
      if (!conn) throw new AppError('NOT_CONNECTED', `The ${side} connection is missing; connect it and scan again.`);
      connectors[side] = await ctx.connect(decryptSettings(conn.secret, ctx.secretKey));
      opened.push(connectors[side]);
    }
    const started = Date.now();
    const work: Work[] = [];
    for (const side of ['source', 'destination'] as const) {
      const refs = await listAll(connectors[side], job.signal);
      work.push(...(await registerMailboxes(ctx, project, runId, side, refs)));
    }
    await refreshProgress(ctx, runId);
    ctx.log.info({ runId, mailboxes: work.length, ms: Date.now() - started }, 'scan listed mailboxes');
    const checkpoint = new ScanCheckpoint(ctx, runId);
    let lastEvent = Date.now();
    await runBounded(work, SCAN_CONCURRENCY, async (w) => {
      if (job.signal?.aborted) return;
      const outcome = await scanOne(connectors[w.side], w, job.signal);
      if (!outcome) return;
      const flushed = await checkpoint.add(outcome);
      if (flushed && Date.now() - lastEvent >= PROGRESS_EVERY_MS) {
        lastEvent = Date.now();
        await event('run.progress');
      }
    });
    await checkpoint.flush();
    ctx.log.info({ runId, ms: Date.now() - started }, 'scan counted mailboxes');
    if (job.signal?.aborted) throw new AppError('CONNECTION_FAILED', 'The scan was interrupted; it resumes where it stopped.', { retryable: true });
    await finish(ctx, project, runId, connectors.destination);
  } catch (error) {
    const appError = toAppError(error);
    if (appError.retryable && job.finalAttempt === false) throw error;
    ctx.log.warn({ runId, code: appError.code }, 'scan failed');
    await ctx.db.update(runs).set({ status: 'failed', error: appError.userMessage, finishedAt: ctx.now() }).where(eq(runs.id, runId));
  } finally {
    for (const c of opened) await c.close().catch(() => undefined);
  }
  await event('run.finished');
}

async function scanOne(connector: Connector, w: Work, signal?: AbortSignal): Promise<ScanOutcome | null> {
  try {
    return { runRowId: w.runRowId, mailboxId: w.mailboxId, stats: await statsWithRetry(connector, w.ref, signal) };
  } catch (error) {
    // An interrupted mailbox stays pending: the retried job scans it again.
    if (signal?.aborted) return null;
    return { runRowId: w.runRowId, mailboxId: w.mailboxId, error: toAppError(error).userMessage };
  }
}

async function finish(ctx: EngineContext, project: ProjectRow, runId: string, destination: Connector): Promise<void> {
  const seen = await ctx.db.select().from(mailboxes).where(and(eq(mailboxes.projectId, project.id), eq(mailboxes.lastScanRunId, runId)));
  const summary = summarizeScan(seen, destination.limits);
  await suggestMappings(ctx.db, project, runId);
  await refreshProgress(ctx, runId);
  await ctx.db.update(runs).set({ status: 'completed', summary: summary as unknown as Record<string, unknown>, finishedAt: ctx.now() }).where(eq(runs.id, runId));
}
