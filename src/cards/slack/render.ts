import type {
  ConnectResultView, ErrorView, FormView, HelpView, NoticeView, ProjectView, RefusalView, RolesView, StatusView, View,
} from '../views.js';
import { connectionState, copyRunStatus, modeLabel, runStatusEmoji, scanStatus, toneEmoji } from '../status.js';
import { formatUtc, moreLine, slackEscape, truncate } from '../text.js';
import {
  ActionIds, actionBlocks, context, esc, factSections, header, lineSections, section, withinBlockLimit, type SlackBlock,
} from './blocks.js';
import { matchReviewBlocks, projectListBlocks, scanBlocks } from './list-messages.js';
import { mailboxLogBlocks, mailboxStatusBlocks, runBlocks, verificationBlocks } from './run-messages.js';
import { m365ConnectBlocks, m365ConnectText } from './m365-messages.js';
import { approvalBlocks, approvalsBlocks, creditsBlocks, shortfallBlocks } from './credit-messages.js';

export type { SlackBlock, SlackText } from './blocks.js';
export { renderSlackModal, slackFormErrors, type SlackModalView } from './modal.js';

/** Problem lists stay short (10 lines): per-mailbox detail belongs in a thread. */
function bullets(items: readonly string[], maxSections: number): SlackBlock[] {
  const shown = items.slice(0, 10);
  const { blocks, left } = lineSections(shown.map((t) => `• ${esc(t)}`), maxSections);
  const more = moreLine(left + items.length - shown.length);
  return more ? [...blocks, context(more)] : blocks;
}

function helpBlocks(view: HelpView): SlackBlock[] {
  const lines = view.commands.map((c) => `\`${esc(c.usage)}\` — ${esc(c.description)}`);
  return [
    header('mailferry commands'),
    ...(view.problem ? [section(`⚠️ ${esc(view.problem)}`)] : []),
    ...lineSections(lines, 5).blocks,
    context('Type `/migrate <command>`. Each answer has buttons for the next step.'),
  ];
}

function errorBlocks(view: ErrorView, ids: ActionIds): SlackBlock[] {
  return [
    section(`❌ *${esc(view.title)}*\n${esc(view.message)}`),
    ...bullets(view.details ?? [], 3),
    context(`Error code: \`${esc(view.code)}\``),
    ...actionBlocks(view.actions, ids),
  ];
}

function refusalBlocks(view: RefusalView): SlackBlock[] {
  return [
    section(`⚠️ *You can't ${esc(view.action)}*\nNeeds one of: *${esc(view.allowedRoles.join(', ') || '—')}* · Your roles: *${esc(view.yourRoles.join(', ') || 'none')}*`),
    context("Ask an org admin or the project's owner to grant you one of these roles, then try again."),
  ];
}

function noticeBlocks(view: NoticeView, ids: ActionIds): SlackBlock[] {
  const mark = view.tone === 'info' ? '' : `${toneEmoji[view.tone]} `;
  return [
    section(`${mark}*${esc(view.title)}*${view.text ? `\n${esc(view.text)}` : ''}`),
    ...factSections(view.facts ?? []),
    ...actionBlocks(view.actions, ids),
  ];
}

/** Forms belong in a modal (renderSlackModal); as a message they only say what is asked. */
function formBlocks(view: FormView): SlackBlock[] {
  return [
    section(`*${esc(view.title)}*${view.intro ? `\n${esc(view.intro)}` : ''}`),
    ...(view.error ? [section(`❌ ${esc(view.error)}`)] : []),
    context(view.fields.map((f) => esc(f.label)).join(' · ')),
  ];
}

function projectBlocks(view: ProjectView, ids: ActionIds): SlackBlock[] {
  const connections = view.connections.map((c) => {
    const st = connectionState[c.state];
    return `${st.emoji} *${c.side === 'source' ? 'Source' : 'Destination'}* · ${esc(c.platformLabel)} — ${st.label}${c.summary ? `\n      _${esc(c.summary)}_` : ''}`;
  });
  return [
    header(view.title ?? view.name),
    context(`${esc(view.sourceLabel)} → ${esc(view.destinationLabel)} · created by ${esc(view.createdBy)}`),
    ...lineSections(connections, 2).blocks,
    ...factSections(view.facts),
    ...(view.nextStep ? [section(`*Next:* ${esc(view.nextStep)}`)] : []),
    ...actionBlocks(view.actions, ids),
  ];
}

function connectResultBlocks(view: ConnectResultView, ids: ActionIds): SlackBlock[] {
  const side = view.side === 'source' ? 'source' : 'destination';
  const heading = view.ok ? `✅ *Connected the ${side} of ${esc(view.projectName)}*` : `❌ *Could not connect the ${side} of ${esc(view.projectName)}*`;
  return [
    section(`${heading}${view.summary ? `\n${esc(view.summary)}` : ''}`),
    ...bullets(view.problems, 3),
    ...actionBlocks(view.actions, ids),
  ];
}

function rolesBlocks(view: RolesView): SlackBlock[] {
  const lines = view.entries.map((e) => `*${esc(e.user)}* · ${esc(e.role)} · _granted by ${esc(e.grantedBy)}_`);
  const { blocks, left } = lineSections(lines, 5);
  const more = moreLine(left);
  return [
    header('Roles'),
    ...(view.notice ? [section(`✅ ${esc(view.notice)}`)] : []),
    ...(lines.length ? blocks : [section('Nobody has a role yet.')]),
    ...(more ? [context(more)] : []),
    context(`\`${esc(view.usage)}\``),
  ];
}

function statusBlocks(view: StatusView, ids: ActionIds): SlackBlock[] {
  const runs = view.latestRuns.slice(0, 10).map((r) => `${runStatusEmoji(r.status)} *${esc(r.mode)}* · ${esc(r.status)} · _${formatUtc(r.when)}_ — ${esc(r.text)}`);
  return [
    header(view.projectName),
    context(`Stage: *${esc(view.stage)}*`),
    ...factSections(view.facts),
    ...(runs.length ? [section('*Latest runs*'), ...lineSections(runs, 2).blocks] : []),
    ...actionBlocks(view.actions, ids),
  ];
}

/** The notification/fallback line Slack shows where blocks cannot be (push, screen readers). */
function fallbackText(view: View): string {
  switch (view.kind) {
    case 'm365_connect': return m365ConnectText(view);
    case 'help': return view.problem ? `${view.problem} Type /migrate help for the commands.` : 'mailferry commands';
    case 'error': return `❌ ${view.title}: ${view.message}`;
    case 'refusal': return `You can't ${view.action}: it needs one of ${view.allowedRoles.join(', ')}.`;
    case 'notice': return `${view.title}${view.text ? ` — ${view.text}` : ''}`;
    case 'form': return view.title;
    case 'project': return `${view.title ?? view.name}: ${view.nextStep}`;
    case 'project_list': return `${view.projects.length + view.more} projects`;
    case 'connect_result': return view.ok ? `Connected the ${view.side} of ${view.projectName}` : `Could not connect the ${view.side} of ${view.projectName}`;
    case 'scan': return `Scan of ${view.projectName}: ${scanStatus[view.status].label}, ${Math.round(view.percent)} %`;
    case 'match_review': return `Match review of ${view.projectName}: ${view.counts.needs_review} need review of ${view.counts.total}`;
    case 'roles': return view.notice ?? 'Roles';
    case 'status': return `${view.projectName}: ${view.stage}`;
    case 'run': return `${modeLabel[view.mode]} run of ${view.projectName}: ${copyRunStatus[view.status].label}, ${Math.round(view.percent)} %`;
    case 'mailbox_status': return `${view.address}: ${Math.round(view.percent)} % · ${view.healthText}`;
    case 'mailbox_log': return `Log of ${view.address}, page ${view.page + 1} of ${Math.max(1, view.pageCount)}`;
    case 'verification': return `Verification of ${view.projectName}: ${view.consistencyPercent} % consistent`;
    case 'approval': return view.decision ? `${view.projectName}: ${view.decision.headline}` : `Approval needed: ${view.modeLabel} of ${view.projectName}, requested by ${view.requestedBy}`;
    case 'shortfall': return `Not enough credits for a full run of ${view.projectName}`;
    case 'credits': return `Credits: ${view.facts.map((f) => `${f.label} ${f.value}`).join(' · ')}`;
    case 'approvals': return view.holds.length ? `${view.holds.length + view.more} holds waiting for an approver` : 'Nothing is waiting for an approver';
  }
}

function blocksFor(view: View, ids: ActionIds): SlackBlock[] {
  switch (view.kind) {
    case 'm365_connect': return m365ConnectBlocks(view, ids);
    case 'help': return helpBlocks(view);
    case 'error': return errorBlocks(view, ids);
    case 'refusal': return refusalBlocks(view);
    case 'notice': return noticeBlocks(view, ids);
    case 'form': return formBlocks(view);
    case 'project': return projectBlocks(view, ids);
    case 'project_list': return projectListBlocks(view);
    case 'connect_result': return connectResultBlocks(view, ids);
    case 'scan': return scanBlocks(view, ids);
    case 'match_review': return matchReviewBlocks(view, ids);
    case 'roles': return rolesBlocks(view);
    case 'status': return statusBlocks(view, ids);
    case 'run': return runBlocks(view, ids);
    case 'mailbox_status': return mailboxStatusBlocks(view, ids);
    case 'mailbox_log': return mailboxLogBlocks(view, ids);
    case 'verification': return verificationBlocks(view, ids);
    case 'approval': return approvalBlocks(view, ids);
    case 'shortfall': return shortfallBlocks(view);
    case 'credits': return creditsBlocks(view, ids);
    case 'approvals': return approvalsBlocks(view, ids);
  }
}

/** A view as a Slack message: `text` is the notification line, `blocks` the Block Kit body. */
export function renderSlackMessage(view: View): { text: string; blocks: SlackBlock[] } {
  return { text: truncate(slackEscape(fallbackText(view)), 3000), blocks: withinBlockLimit(blocksFor(view, new ActionIds())) };
}
