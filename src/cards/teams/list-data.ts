import type { FactView, MatchReviewView, MatchRowView, ScanView } from '../views.js';
import { matchStatus, scanRowState, scanStatus } from '../status.js';
import { formatCount, formatUtc, moreLine, progressBar } from '../text.js';
import { teamsAction, teamsActions } from './actions.js';
import { toneColor } from './card-data.js';
import { matchNavButtons, matchRowButtons, overrideInputId } from '../match-actions.js';

/** How much of a long list a card shows; the renderer lowers these until the card fits 40 KB. */
export interface ListLimits {
  rows: number;
  candidates: number;
  /** Per-row Action.Submit fallbacks double each row's button JSON; dropped first when over budget
   * (every Teams client since 2021 runs Action.Execute; the page's other buttons keep theirs). */
  rowFallbacks: boolean;
}

/** The head both living cards (scan and copy run) share: status, progress bar, error, facts. */
export function progressHead(
  status: { emoji: string; label: string; tone: keyof typeof toneColor },
  view: { percent: number; progressText: string; error?: string; facts: FactView[] },
) {
  return {
    statusText: `${status.emoji} ${status.label}`,
    statusColor: toneColor[status.tone],
    bar: progressBar(view.percent),
    progressText: view.progressText,
    error: view.error ?? '',
    facts: view.facts.slice(0, 20),
  };
}

export function scanData(view: ScanView, limits: ListLimits) {
  const rows = view.rows.slice(0, limits.rows);
  return {
    projectName: view.projectName,
    runId: view.runId,
    ...progressHead(scanStatus[view.status], view),
    rows: rows.map((r) => ({
      emoji: scanRowState[r.state].emoji,
      address: r.address,
      meta: `${r.side === 'source' ? 'Source' : 'Destination'} · ${r.kindLabel}`,
      text: r.text,
      color: r.state === 'failed' ? 'Attention' : 'Default',
    })),
    moreText: moreLine(view.rows.length - rows.length + view.more, 'more mailboxes') ?? '',
    startedBy: view.startedBy,
    updatedAt: formatUtc(view.updatedAt),
    actions: teamsActions(view.actions),
  };
}

export function countsText(counts: MatchReviewView['counts']): string {
  return [
    `${matchStatus.matched.emoji} ${formatCount(counts.matched)} matched`,
    `${matchStatus.needs_review.emoji} ${formatCount(counts.needs_review)} to review`,
    `${matchStatus.create_missing.emoji} ${formatCount(counts.create_missing)} to create`,
    `${matchStatus.excluded.emoji} ${formatCount(counts.excluded)} excluded`,
    `${formatCount(counts.total)} in all`,
  ].join(' · ');
}

export function matchRowStatusText(row: MatchRowView): string {
  const parts = [`${matchStatus[row.status].emoji} ${row.statusLabel}`];
  if (row.status !== 'excluded' && row.destinationAddress) parts.push(`${row.confidencePercent} %`);
  if (row.reason) parts.push(row.reason);
  return parts.join(' · ');
}

function rowData(view: MatchReviewView, row: MatchRowView, limits: ListLimits) {
  const buttons = matchRowButtons(view, row);
  const canOverride = buttons.some((b) => b.verb === 'mapping.override');
  return {
    source: row.sourceAddress,
    kind: row.sourceKindLabel ? `(${row.sourceKindLabel})` : '',
    destination: row.destinationAddress ?? '—',
    statusText: matchRowStatusText(row),
    color: toneColor[matchStatus[row.status].tone],
    inputId: overrideInputId(row.mappingId),
    candidates: canOverride ? row.candidates.slice(0, limits.candidates).map((address) => ({ address, choice: address })) : [],
    // Without any candidate shown there is nothing to pick, so the override button goes too.
    actions: buttons
      .filter((b) => b.verb !== 'mapping.override' || limits.candidates > 0)
      .map((b) => ({ ...teamsAction(b), withFallback: limits.rowFallbacks })),
  };
}

export function matchReviewData(view: MatchReviewView, limits: ListLimits) {
  const rows = view.rows.slice(0, limits.rows);
  return {
    projectName: view.projectName,
    countsText: countsText(view.counts),
    notice: view.notice ?? '',
    nav: teamsActions(matchNavButtons(view)),
    emptyText: view.filter === 'needs_review' ? '✅ Nothing needs review. Choose **All** to see every mapping.' : 'No mailboxes to match yet. Run a scan first.',
    rows: rows.map((r) => rowData(view, r, limits)),
    moreText: moreLine(view.rows.length - rows.length + view.more, 'more mailboxes') ?? '',
    pageText: `Page ${view.page + 1} of ${Math.max(1, view.pageCount)} · showing ${view.filter === 'all' ? 'all mappings' : 'mappings that need review'}`,
    footer: teamsActions(view.actions.filter((b) => b.verb !== 'match.open')),
  };
}
