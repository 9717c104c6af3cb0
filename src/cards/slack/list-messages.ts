import type { MatchReviewView, MatchRowView, ProjectListView, ScanView } from '../views.js';
import { matchNavButtons, matchRowButtons } from '../match-actions.js';
import { matchStatus, scanRowState, scanStatus } from '../status.js';
import { formatCount, formatUtc, moreLine, progressBar, truncate } from '../text.js';
import {
  ActionIds, actionBlocks, context, divider, esc, factSections, header, lineSections, plain, section, slackLimits, type SlackBlock,
} from './blocks.js';
import { rowBlockId, verbOptionValue } from './codec.js';

export function projectListBlocks(view: ProjectListView): SlackBlock[] {
  if (view.projects.length === 0) return [header('Projects'), section('No projects yet. Create one with `/migrate new`.')];
  const lines = view.projects.map((p) => `*${esc(p.name)}* · ${esc(p.route)} · ${esc(p.stage)} · _created ${formatUtc(p.createdAt)}_`);
  const { blocks, left } = lineSections(lines, 10);
  const more = moreLine(left + view.more);
  return [header('Projects'), ...blocks, ...(more ? [context(more)] : [])];
}

export function scanBlocks(view: ScanView, ids: ActionIds): SlackBlock[] {
  const status = scanStatus[view.status];
  const lines = view.rows.map((r) => {
    const side = r.side === 'source' ? 'source' : 'destination';
    return `${scanRowState[r.state].emoji} *${esc(r.address)}* _${side} · ${esc(r.kindLabel)}_ — ${esc(r.text)}`;
  });
  const rows = lineSections(lines, 6);
  const more = moreLine(rows.left + view.more, 'more mailboxes');
  return [
    header(`Scan · ${view.projectName}`),
    section(`${status.emoji} *${status.label}*   \`${progressBar(view.percent)}\`${view.progressText ? `\n${esc(view.progressText)}` : ''}`),
    ...(view.error ? [section(`❌ ${esc(view.error)}`)] : []),
    ...factSections(view.facts),
    ...(rows.blocks.length ? [divider(), ...rows.blocks] : []),
    ...(more ? [context(more)] : []),
    context(`Started by ${esc(view.startedBy)} · updated ${formatUtc(view.updatedAt)} · run ${esc(view.runId)}`),
    ...actionBlocks(view.actions, ids),
  ];
}

export function matchCountsText(counts: MatchReviewView['counts']): string {
  return [
    `${matchStatus.matched.emoji} *${formatCount(counts.matched)}* matched`,
    `${matchStatus.needs_review.emoji} *${formatCount(counts.needs_review)}* to review`,
    `${matchStatus.create_missing.emoji} *${formatCount(counts.create_missing)}* to create`,
    `${matchStatus.excluded.emoji} *${formatCount(counts.excluded)}* excluded`,
    `*${formatCount(counts.total)}* in all`,
  ].join('  ·  ');
}

/**
 * One section per row keeps a 25-row page within 50 blocks: the row's actions and its override
 * candidates share one select ("Change…") whose block_id carries the row's data.
 */
function rowBlock(view: MatchReviewView, row: MatchRowView, ids: ActionIds, candidateCap: number): SlackBlock {
  const st = matchStatus[row.status];
  const dest = row.destinationAddress ? esc(row.destinationAddress) : '—';
  const detail = [`${st.emoji} ${esc(row.statusLabel)}`];
  if (row.status !== 'excluded' && row.destinationAddress) detail.push(`${row.confidencePercent} %`);
  if (row.reason) detail.push(esc(row.reason));
  const text = `*${esc(row.sourceAddress)}* _${esc(row.sourceKindLabel)}_ → ${dest}\n${detail.join(' · ')}`;

  const buttons = matchRowButtons(view, row).filter((b) => b.verb !== 'mapping.override');
  const actionOptions = buttons.map((b) => ({ text: plain(b.label, slackLimits.optionText), value: verbOptionValue(b.verb) }));
  const candidates = row.status === 'excluded' ? [] : row.candidates
    .filter((a) => a.length <= slackLimits.optionValue)
    .slice(0, Math.min(candidateCap, slackLimits.selectOptions - actionOptions.length))
    .map((a) => ({ text: plain(truncate(a, slackLimits.optionText), slackLimits.optionText), value: a }));
  const option_groups = [
    { label: plain('Actions', 75), options: actionOptions },
    ...(candidates.length ? [{ label: plain('Send to another destination', 75), options: candidates }] : []),
  ];
  const data = { projectId: view.projectId, mappingId: row.mappingId, filter: view.filter, page: view.page };
  const accessory = { type: 'static_select', action_id: ids.id('mapping.override'), placeholder: plain('Change…', 150), option_groups };
  return section(text, accessory, rowBlockId(data));
}

/** 100 options on each of 25 rows would make a ~300 KB message; spread ~500 options over the page. */
function candidateCap(rowCount: number): number {
  return Math.max(5, Math.floor(500 / Math.max(1, rowCount)));
}

export function matchReviewBlocks(view: MatchReviewView, ids: ActionIds): SlackBlock[] {
  const footer = view.actions.filter((b) => b.verb !== 'match.open');
  const fixed = 8 + footer.length / slackLimits.actionsElements;
  const rows = view.rows.slice(0, Math.max(0, slackLimits.blocks - Math.ceil(fixed)));
  const more = moreLine(view.rows.length - rows.length + view.more, 'more mailboxes');
  const empty = view.filter === 'needs_review' ? '✅ Nothing needs review. Choose *Show all* to see every mapping.' : 'No mailboxes to match yet. Run a scan first.';
  return [
    header(`Match review · ${view.projectName}`),
    section(matchCountsText(view.counts)),
    ...(view.notice ? [context(`✅ ${esc(view.notice)}`)] : []),
    ...actionBlocks(matchNavButtons(view), ids),
    divider(),
    ...(rows.length ? rows.map((r) => rowBlock(view, r, ids, candidateCap(rows.length))) : [section(empty)]),
    ...(more ? [context(more)] : []),
    context(`Page ${view.page + 1} of ${Math.max(1, view.pageCount)} · showing ${view.filter === 'all' ? 'all mappings' : 'mappings that need review'}`),
    ...actionBlocks(footer, ids),
  ];
}
