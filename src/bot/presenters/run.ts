import type { MailboxRunInfo, RunDetail, VerificationInfo } from '../../engine/index.js';
import type { ButtonView, FactView, RunMailboxRowView, RunView } from '../../cards/views.js';
import { formatBytes, formatCount, plural } from './format.js';
import { healthOf, healthText } from './health.js';

/** The living run card shows at most this many mailboxes: the unhealthy, then the busiest right now. */
export const RUN_ROW_LIMIT = 10;

type CopyMode = RunView['mode'];

interface Counters { total: number; done: number; failed: number; running: number; itemsTotal: number; itemsDone: number; itemsFailed: number; bytesDone: number }

function counters(run: RunDetail): Counters {
  const p = run.progress;
  const n = (key: string, fallback = 0) => (typeof p[key] === 'number' ? p[key] : fallback);
  const rows = run.mailboxRuns;
  return {
    total: n('mailboxesTotal', rows.length),
    done: n('mailboxesDone', rows.filter((r) => r.status === 'completed').length),
    failed: n('mailboxesFailed', rows.filter((r) => r.status === 'failed').length),
    running: n('mailboxesRunning', rows.filter((r) => r.status === 'running').length),
    itemsTotal: n('itemsTotal'),
    itemsDone: n('itemsDone'),
    itemsFailed: n('itemsFailed'),
    bytesDone: n('bytesDone'),
  };
}

function percentOf(run: RunDetail, c: Counters): number {
  if (run.status === 'completed') return 100;
  if (c.total <= 0) return 0;
  return Math.min(100, Math.floor(((c.done + c.failed) / c.total) * 100));
}

function progressText(run: RunDetail, c: Counters): string {
  const failed = c.failed ? ` · ${formatCount(c.failed)} failed` : '';
  const of = `${formatCount(c.done)} of ${plural(c.total, 'mailbox', 'mailboxes')} copied${failed}`;
  switch (run.status) {
    case 'pending_approval': return 'Waiting for an approver.';
    case 'queued': return `Queued: ${plural(c.total, 'mailbox', 'mailboxes')} waiting for a worker…`;
    case 'running': return `${of}${c.running ? ` · ${formatCount(c.running)} copying` : ''}`;
    case 'completed': return c.failed ? `${of}.` : `All ${plural(c.total, 'mailbox', 'mailboxes')} copied.`;
    case 'failed': return `The run failed: ${of}.`;
    case 'cancelled': return `Cancelled: ${of}.`;
  }
}

/** Items per minute over the run's life so far (creation to finish, or now). */
function itemsPerMinute(run: RunDetail, c: Counters, now: Date): number {
  const end = run.finishedAt ? new Date(run.finishedAt).getTime() : now.getTime();
  const minutes = (end - new Date(run.createdAt).getTime()) / 60_000;
  return minutes > 0 ? c.itemsDone / Math.max(minutes, 1 / 60) : 0;
}

function facts(run: RunDetail, c: Counters, now: Date): FactView[] {
  const mailboxes = [`${formatCount(c.done)} done`, `${formatCount(c.failed)} failed`, `${formatCount(c.total)} in all`];
  const items = `${formatCount(c.itemsDone)}${c.itemsTotal > c.itemsDone ? ` of ${formatCount(c.itemsTotal)}` : ''}${c.itemsFailed ? ` · ${formatCount(c.itemsFailed)} failed` : ''}`;
  const out: FactView[] = [
    { label: 'Mailboxes', value: mailboxes.join(' · ') },
    { label: 'Items moved', value: items },
    { label: 'Data moved', value: formatBytes(c.bytesDone) },
  ];
  if (c.itemsDone > 0) out.push({ label: 'Speed', value: `${formatCount(itemsPerMinute(run, c, now))} items/min` });
  const throttled = run.progress.mailboxesThrottled ?? 0;
  if (throttled > 0 && run.status === 'running') out.push({ label: 'Throttled', value: plural(throttled, 'mailbox', 'mailboxes') });
  return out;
}

/** Unhealthy first (failed, stalled, throttled, degraded), then the running ones moving the most items now. */
const rank: Record<RunMailboxRowView['health'], number> = { failed: 0, stalled: 1, throttled: 2, degraded: 3, healthy: 4, cancelled: 5, pending: 6, done: 7 };

/** A running mailbox whose last item moved longer ago than this is not "busy", whatever it moved before. */
export const RECENT_PROGRESS_MS = 5 * 60_000;

function worthShowing(run: RunDetail, health: RunMailboxRowView['health']): boolean {
  if (health === 'done' || health === 'pending' || health === 'cancelled') return false;
  return run.status === 'running' || run.status === 'queued' || health !== 'healthy';
}

/** "1,234 / 5,000 items · 3 failed", or null before the mailbox has counted or moved anything. */
function itemsText(r: MailboxRunInfo): string | null {
  const failed = r.itemsFailed ? ` · ${formatCount(r.itemsFailed)} failed` : '';
  if (r.itemsTotal > 0) return `${formatCount(r.itemsDone)} / ${plural(r.itemsTotal, 'item')}${failed}`;
  return r.itemsDone > 0 ? `${plural(r.itemsDone, 'item')}${failed}` : null;
}

function rowText(r: MailboxRunInfo, health: RunMailboxRowView['health']): string {
  const items = itemsText(r);
  if (health !== 'healthy') {
    const reason = healthText({ status: r.status, health: r.health as never, healthReason: r.healthReason, error: r.error });
    return items ? `${reason} · ${items}` : reason;
  }
  if (!items) return 'Starting…';
  return r.bytesDone > 0 ? `${items} · ${formatBytes(r.bytesDone)}` : items;
}

/** Healthy running rows: those that moved an item in the last few minutes first, then by items moved. */
function busier(now: number) {
  const last = (r: MailboxRunInfo) => (r.lastProgressAt ? Date.parse(r.lastProgressAt) : 0);
  const recent = (r: MailboxRunInfo) => (now - last(r) <= RECENT_PROGRESS_MS ? 0 : 1);
  return (a: MailboxRunInfo, b: MailboxRunInfo) => recent(a) - recent(b) || b.itemsDone - a.itemsDone || last(b) - last(a);
}

function rows(run: RunDetail, now: Date): { shown: RunMailboxRowView[]; candidates: number } {
  const byBusy = busier(now.getTime());
  const candidates = run.mailboxRuns
    .map((r) => ({ r, health: healthOf(r.status, r.health) }))
    .filter(({ health }) => worthShowing(run, health))
    .sort((a, b) => rank[a.health] - rank[b.health] || byBusy(a.r, b.r) || a.r.mailbox.address.localeCompare(b.r.mailbox.address));
  const shown = candidates.slice(0, RUN_ROW_LIMIT).map(({ r, health }) => ({ address: r.mailbox.address, health, text: rowText(r, health) }));
  return { shown, candidates: candidates.length };
}

function verificationSummary(v: VerificationInfo): RunView['verification'] {
  const items = v.mailboxes.reduce((n, m) => n + m.folders.reduce((k, f) => k + f.source, 0), 0);
  const short = v.mailboxes.filter((m) => m.missing > 0).length;
  const text = v.missingTotal === 0
    ? `all ${plural(items, 'item')} verified at the destination.`
    : `${plural(v.missingTotal, 'item')} missing in ${plural(short, 'mailbox', 'mailboxes')}.`;
  return { consistencyPercent: v.consistencyPercent, text, missing: v.missingTotal };
}

function actions(run: RunDetail, c: Counters): ButtonView[] {
  const projectId = run.projectId;
  if (run.status === 'queued' || run.status === 'running' || run.status === 'pending_approval') {
    return [{ label: 'Cancel run', verb: 'run.cancel', data: { projectId }, style: 'danger' }];
  }
  const v = run.verification;
  const anythingMissing = c.failed > 0 || c.itemsFailed > 0 || (v ? v.missingTotal > 0 || v.failedItems > 0 : false);
  if (anythingMissing) return [{ label: 'Retry failed', verb: 'run.launch', data: { projectId, mode: 'retry' }, style: 'primary' }];
  if (run.status !== 'completed') return [{ label: 'Run again', verb: 'run.launch', data: { projectId, mode: run.mode === 'scan' ? 'full' : run.mode } }];
  return [];
}

export function presentRun(run: RunDetail, now: () => Date = () => new Date()): RunView {
  const c = counters(run);
  const at = now();
  const { shown, candidates } = rows(run, at);
  const unseen = run.status === 'running' ? Math.max(candidates, c.running + c.failed) : candidates;
  return {
    kind: 'run',
    projectName: run.projectName,
    runId: run.id,
    mode: (run.mode === 'scan' ? 'full' : run.mode) satisfies CopyMode,
    status: run.status,
    percent: percentOf(run, c),
    progressText: progressText(run, c),
    facts: facts(run, c, at),
    rows: shown,
    more: Math.max(0, unseen - shown.length),
    ...(run.verification ? { verification: verificationSummary(run.verification) } : {}),
    ...(run.error ? { error: run.error } : {}),
    startedBy: run.startedByName ?? run.startedBy,
    actions: actions(run, c),
    updatedAt: (run.finishedAt ? new Date(run.finishedAt) : at).toISOString(),
  };
}
