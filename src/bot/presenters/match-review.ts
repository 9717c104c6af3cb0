import type { MappingInfo, MappingStatus, MatchReview } from '../../engine/index.js';
import type { ButtonView, MatchReviewView, MatchRowView } from '../../cards/views.js';
import { kindLabel } from './format.js';

export const CANDIDATE_LIMIT = 100;

export const mappingStatusLabels: Record<MappingStatus, string> = {
  matched: 'Matched',
  needs_review: 'Needs review',
  excluded: 'Excluded',
  create_missing: 'Create missing',
};

export function destinationOf(m: MappingInfo): string | null {
  return m.destinationAddress ?? m.destination?.address ?? null;
}

function row(m: MappingInfo): MatchRowView {
  // The engine may give 0..1 or 0..100; cards want a whole percent.
  const percent = m.confidence <= 1 ? m.confidence * 100 : m.confidence;
  return {
    mappingId: m.id,
    sourceAddress: m.source.address,
    sourceKindLabel: kindLabel(m.source.kind),
    destinationAddress: destinationOf(m),
    status: m.status,
    statusLabel: mappingStatusLabels[m.status] ?? m.status,
    confidencePercent: Math.max(0, Math.min(100, Math.round(percent))),
    reason: m.reason,
    candidates: m.candidates.slice(0, CANDIDATE_LIMIT),
  };
}

/** The engine counts pages from 1; cards and their buttons from 0 (like the mailbox log). */
export function cardPage(review: MatchReview): number {
  return Math.max(0, review.page - 1);
}

function actions(review: MatchReview, pageCount: number): ButtonView[] {
  const projectId = review.project.id;
  const out: ButtonView[] = [];
  const { filter } = review;
  const page = cardPage(review);
  if (page > 0) out.push({ label: '‹ Previous', verb: 'match.open', data: { projectId, filter, page: page - 1 } });
  if (page + 1 < pageCount) out.push({ label: 'Next ›', verb: 'match.open', data: { projectId, filter, page: page + 1 } });
  out.push(
    filter === 'needs_review'
      ? { label: 'Show all', verb: 'match.open', data: { projectId, filter: 'all', page: 0 } }
      : { label: 'Needs review only', verb: 'match.open', data: { projectId, filter: 'needs_review', page: 0 } },
  );
  out.push({ label: 'Export CSV', verb: 'match.export', data: { projectId } });
  out.push({ label: 'Import CSV', verb: 'match.import_open', data: { projectId } });
  return out;
}

export function presentMatchReview(review: MatchReview, notice?: string): MatchReviewView {
  const pageSize = Math.max(1, review.pageSize);
  const pageCount = Math.max(1, Math.ceil(review.total / pageSize));
  const { counts } = review;
  return {
    kind: 'match_review',
    projectId: review.project.id,
    projectName: review.project.name,
    filter: review.filter,
    page: cardPage(review),
    pageCount,
    counts: { matched: counts.matched, needs_review: counts.needs_review, excluded: counts.excluded, create_missing: counts.create_missing, total: counts.total },
    rows: review.rows.map(row),
    more: Math.max(0, review.total - cardPage(review) * pageSize - review.rows.length),
    actions: actions(review, pageCount),
    ...(notice ? { notice } : {}),
  };
}

/** "alice@old → alice@new (override) by Alex" — the line above an updated review card. */
export function mappingChangeNotice(m: MappingInfo, change: string, by: string): string {
  const destination = destinationOf(m);
  switch (change) {
    case 'override':
      return `${m.source.address} → ${destination ?? '—'}: destination set by ${by}.`;
    case 'exclude':
      return `${m.source.address} excluded from the migration by ${by}.`;
    case 'include':
      return `${m.source.address} included again by ${by} (${mappingStatusLabels[m.status]}).`;
    case 'create_missing':
      return `${m.source.address}: destination ${destination ?? ''} flagged to be created by ${by}.`.replace('  ', ' ');
    default:
      return `${m.source.address} changed by ${by}.`;
  }
}
