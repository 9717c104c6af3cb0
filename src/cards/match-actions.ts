import type { ButtonView, MatchReviewView, MatchRowView } from './views.js';
import { formatCount } from './text.js';

/**
 * The buttons of a match review, decided once for both platforms.
 *
 * Override input convention (Teams): every row's destination picker is an Input.ChoiceSet with
 * id `destination_<mappingId>`, because Teams submits every input of the card with any button and
 * one shared id `destination` would collide across rows. The `mapping.override` payload schema is
 * catchall, so the bot reads `destination` (Slack puts the choice there) or falls back to
 * `destination_<mappingId>`: use readOverrideDestination().
 */
export function overrideInputId(mappingId: string): string {
  return `destination_${mappingId}`;
}

/** The destination chosen for a `mapping.override` click on either platform, or undefined. */
export function readOverrideDestination(payload: { mappingId: string; destination?: string } & Record<string, unknown>): string | undefined {
  const perRow = payload[overrideInputId(payload.mappingId)];
  const chosen = typeof perRow === 'string' && perRow.trim() !== '' ? perRow : payload.destination;
  return chosen?.trim() ? chosen.trim() : undefined;
}

function rowData(view: MatchReviewView, row: MatchRowView) {
  return { projectId: view.projectId, mappingId: row.mappingId, filter: view.filter, page: view.page };
}

export function matchRowButtons(view: MatchReviewView, row: MatchRowView): ButtonView[] {
  const data = rowData(view, row);
  const buttons: ButtonView[] = [];
  if (row.status !== 'excluded' && row.candidates.length > 0) {
    // Highlight only where a decision is due, so a page of settled rows stays quiet.
    buttons.push({ label: 'Set destination', verb: 'mapping.override', data, ...(row.status === 'needs_review' ? { style: 'primary' as const } : {}) });
  }
  if (row.status === 'needs_review') buttons.push({ label: 'Create missing', verb: 'mapping.create_missing', data });
  if (row.status === 'excluded') buttons.push({ label: 'Include', verb: 'mapping.include', data });
  else buttons.push({ label: 'Exclude', verb: 'mapping.exclude', data });
  return buttons;
}

/** Filter toggle and paging. Presenters need not add `match.open` buttons; renderers drop them. */
export function matchNavButtons(view: MatchReviewView): ButtonView[] {
  const open = (filter: MatchReviewView['filter'], page: number) => ({ projectId: view.projectId, filter, page });
  const buttons: ButtonView[] = [];
  if (view.page > 0) buttons.push({ label: '◀ Previous', verb: 'match.open', data: open(view.filter, view.page - 1) });
  if (view.page + 1 < view.pageCount) buttons.push({ label: 'Next ▶', verb: 'match.open', data: open(view.filter, view.page + 1) });
  if (view.filter === 'needs_review') buttons.push({ label: `Show all (${formatCount(view.counts.total)})`, verb: 'match.open', data: open('all', 0) });
  else buttons.push({ label: `Needs review only (${formatCount(view.counts.needs_review)})`, verb: 'match.open', data: open('needs_review', 0) });
  return buttons;
}
