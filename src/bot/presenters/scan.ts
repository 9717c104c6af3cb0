import type { MailboxInfo, MailboxRunInfo, RunDetail, ScanSummary } from '../../engine/index.js';
import type { ButtonView, FactView, ScanMailboxRowView, ScanView } from '../../cards/views.js';
import { formatBytes, formatCount, formatDuration, kindLabel, plural } from './format.js';

export const SCAN_ROW_LIMIT = 20;

type SideTotals = ScanSummary['source'];

function items(m: { mail: number | null; events: number | null; contacts: number | null }): number {
  return (m.mail ?? 0) + (m.events ?? 0) + (m.contacts ?? 0);
}

function statusOf(run: RunDetail): ScanView['status'] {
  return run.status === 'pending_approval' ? 'queued' : run.status;
}

/** Counters from the run when the engine keeps them, else counted from the mailbox runs. */
function counters(run: RunDetail): { total: number; done: number; failed: number } {
  const p = run.progress;
  const fromRows = {
    total: run.mailboxRuns.length,
    done: run.mailboxRuns.filter((m) => m.status === 'completed').length,
    failed: run.mailboxRuns.filter((m) => m.status === 'failed' || m.status === 'cancelled').length,
  };
  if (typeof p.mailboxesTotal !== 'number') return fromRows;
  return { total: p.mailboxesTotal, done: p.mailboxesDone ?? fromRows.done, failed: p.mailboxesFailed ?? fromRows.failed };
}

function percentOf(run: RunDetail, c: { total: number; done: number; failed: number }): number {
  if (run.status === 'completed') return 100;
  if (c.total <= 0) return 0;
  return Math.min(100, Math.floor(((c.done + c.failed) / c.total) * 100));
}

function progressText(run: RunDetail, c: { total: number; done: number; failed: number }): string {
  const failed = c.failed ? ` · ${formatCount(c.failed)} failed` : '';
  switch (run.status) {
    case 'pending_approval':
    case 'queued':
      return 'Queued: waiting for a worker to pick the scan up…';
    case 'running':
      return c.total ? `${formatCount(c.done + c.failed)} of ${plural(c.total, 'mailbox', 'mailboxes')} scanned${failed}` : 'Listing mailboxes on both sides…';
    case 'completed':
      return `Scan complete: ${plural(c.total, 'mailbox', 'mailboxes')} scanned${failed}.`;
    case 'failed':
      return `The scan failed after ${formatCount(c.done + c.failed)} of ${plural(c.total, 'mailbox', 'mailboxes')}.`;
    case 'cancelled':
      return 'The scan was cancelled.';
  }
}

/** Totals so far from the rows, for a card that is still filling in. */
function partialTotals(rows: MailboxRunInfo[], side: 'source' | 'destination'): SideTotals {
  const mailboxes = rows.filter((r) => r.mailbox.side === side).map((r) => r.mailbox);
  const sum = (pick: (m: MailboxInfo) => number | null) => mailboxes.reduce((n, m) => n + (pick(m) ?? 0), 0);
  return { mailboxes: mailboxes.length, folders: sum((m) => m.folders), mail: sum((m) => m.mail), events: sum((m) => m.events), contacts: sum((m) => m.contacts), bytes: sum((m) => m.bytes) };
}

function sideText(t: SideTotals): string {
  return `${plural(t.mailboxes, 'mailbox', 'mailboxes')} · ${plural(t.folders, 'folder')} · ${plural(t.mail + t.events + t.contacts, 'item')} · ${formatBytes(t.bytes)}`;
}

function facts(run: RunDetail): FactView[] {
  const summary = run.summary;
  const source = summary?.source ?? partialTotals(run.mailboxRuns, 'source');
  const destination = summary?.destination ?? partialTotals(run.mailboxRuns, 'destination');
  const out: FactView[] = [
    { label: 'Source', value: sideText(source) },
    { label: 'Destination', value: sideText(destination) },
  ];
  if (summary?.largest) {
    out.push({ label: 'Largest mailbox', value: `${summary.largest.address} · ${formatBytes(summary.largest.bytes)} · ${plural(summary.largest.items, 'item')}` });
  }
  if (summary && summary.predictedFullRunSeconds > 0) {
    out.push({ label: 'Predicted full run', value: formatDuration(summary.predictedFullRunSeconds) });
  }
  if (summary?.failed) out.push({ label: 'Could not scan', value: plural(summary.failed, 'mailbox', 'mailboxes') });
  return out;
}

const stateOf: Record<MailboxRunInfo['status'], ScanMailboxRowView['state']> = {
  pending: 'pending',
  running: 'scanning',
  completed: 'done',
  failed: 'failed',
  cancelled: 'failed',
};

const stateRank: Record<ScanMailboxRowView['state'], number> = { failed: 0, scanning: 1, done: 2, pending: 3 };

function rowText(r: MailboxRunInfo): string {
  if (r.status === 'failed') return r.error ?? r.mailbox.scanError ?? 'Could not be scanned.';
  if (r.status === 'cancelled') return 'Cancelled.';
  if (r.status === 'pending') return 'Waiting…';
  const m = r.mailbox;
  const parts = [plural(items(m), 'item'), formatBytes(m.bytes)];
  if (m.folders !== null) parts.push(plural(m.folders, 'folder'));
  return r.status === 'running' ? `Scanning… ${parts.join(' · ')}` : parts.join(' · ');
}

/** Failed first, then running, then the busiest (largest) mailboxes. */
function rows(run: RunDetail): ScanMailboxRowView[] {
  return run.mailboxRuns
    .map((r) => ({ r, state: stateOf[r.status] }))
    .sort((a, b) => stateRank[a.state] - stateRank[b.state] || (b.r.mailbox.bytes ?? 0) - (a.r.mailbox.bytes ?? 0) || a.r.mailbox.address.localeCompare(b.r.mailbox.address))
    .slice(0, SCAN_ROW_LIMIT)
    .map(({ r, state }) => ({ side: r.mailbox.side, address: r.mailbox.address, kindLabel: kindLabel(r.mailbox.kind), state, text: rowText(r) }));
}

function actions(run: RunDetail): ButtonView[] {
  const projectId = run.projectId;
  if (run.status === 'completed') {
    return [
      { label: 'Review mapping', verb: 'match.open', data: { projectId, filter: 'needs_review', page: 0 }, style: 'primary' },
      { label: 'Scan again', verb: 'scan.start', data: { projectId } },
    ];
  }
  if (run.status === 'failed' || run.status === 'cancelled') return [{ label: 'Scan again', verb: 'scan.start', data: { projectId }, style: 'primary' }];
  return [];
}

export function presentScan(run: RunDetail, now: () => Date = () => new Date()): ScanView {
  const c = counters(run);
  const shown = rows(run);
  return {
    kind: 'scan',
    projectName: run.projectName,
    runId: run.id,
    status: statusOf(run),
    percent: percentOf(run, c),
    progressText: progressText(run, c),
    facts: facts(run),
    rows: shown,
    more: Math.max(0, run.mailboxRuns.length - shown.length),
    ...(run.error ? { error: run.error } : {}),
    startedBy: run.startedByName ?? run.startedBy,
    actions: actions(run),
    updatedAt: (run.finishedAt ? new Date(run.finishedAt) : now()).toISOString(),
  };
}
