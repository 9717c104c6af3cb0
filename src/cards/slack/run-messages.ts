import type { MailboxLogView, MailboxStatusView, RunView, VerificationView } from '../views.js';
import { copyRunStatus, logLevel, mailboxHealth, modeLabel } from '../status.js';
import { formatCount, formatUtc, moreLine, progressBar } from '../text.js';
import { ActionIds, actionBlocks, context, divider, esc, factSections, header, lineSections, section, type SlackBlock } from './blocks.js';

/** Block Kit for the copy-run messages: the living run card, one mailbox, its log, the verification. */

export function runBlocks(view: RunView, ids: ActionIds): SlackBlock[] {
  const status = copyRunStatus[view.status];
  const rows = view.rows.slice(0, 10).map((r) => `${mailboxHealth[r.health].emoji} *${esc(r.address)}* — ${esc(r.text)}`);
  const packed = lineSections(rows, 2);
  const more = moreLine(packed.left + view.more, 'more mailboxes');
  const v = view.verification;
  return [
    header(`${modeLabel[view.mode]} run · ${view.projectName}`),
    section(`${status.emoji} *${status.label}*   \`${progressBar(view.percent)}\`${view.progressText ? `\n${esc(view.progressText)}` : ''}`),
    ...(view.error ? [section(`❌ ${esc(view.error)}`)] : []),
    ...factSections(view.facts),
    ...(v ? [section(`${v.missing === 0 ? '✅' : '⚠️'} *Verification: ${v.consistencyPercent} % consistent* — ${esc(v.text)}`)] : []),
    ...(packed.blocks.length ? [divider(), ...packed.blocks] : []),
    ...(more ? [context(more)] : []),
    context(`Started by ${esc(view.startedBy)} · updated ${formatUtc(view.updatedAt)} · run ${esc(view.runId)}`),
    ...actionBlocks(view.actions, ids),
  ];
}

export function mailboxStatusBlocks(view: MailboxStatusView, ids: ActionIds): SlackBlock[] {
  const health = mailboxHealth[view.health];
  const route = `${esc(view.projectName)} · ${esc(view.mode)} run${view.destinationAddress ? ` → ${esc(view.destinationAddress)}` : ''}`;
  return [
    header(view.address),
    context(route),
    section(`\`${progressBar(view.percent)}\`   ${health.emoji} *${esc(view.healthText)}*`),
    ...(view.error ? [section(`❌ ${esc(view.error)}`)] : []),
    ...factSections(view.facts),
    context(`Updated ${formatUtc(view.updatedAt)}`),
    ...actionBlocks(view.actions, ids),
  ];
}

export function mailboxLogBlocks(view: MailboxLogView, ids: ActionIds): SlackBlock[] {
  const lines = view.entries.slice(0, 50).map((e) => `${logLevel[e.level].emoji} \`${formatUtc(e.at)}\` ${esc(e.message)}`);
  const packed = lineSections(lines, 4);
  const more = moreLine(packed.left, 'more events on this page');
  return [
    header(`Log · ${view.address}`),
    context(`${esc(view.projectName)} · page ${view.page + 1} of ${Math.max(1, view.pageCount)} · ${formatCount(view.total)} events`),
    ...(lines.length ? packed.blocks : [section('Nothing logged for this mailbox yet.')]),
    ...(more ? [context(more)] : []),
    ...actionBlocks(view.actions, ids),
  ];
}

export function verificationBlocks(view: VerificationView, ids: ActionIds): SlackBlock[] {
  const lines = view.rows.map((r) => `${r.missing ? '⚠️' : '✅'} *${esc(r.mailbox)}* · ${esc(r.folder)} — ${formatCount(r.source)} → ${formatCount(r.destination)} · ledger ${formatCount(r.ledger)}${r.missing ? ` · *${formatCount(r.missing)} missing*` : ''}`);
  const packed = lineSections(lines, 6);
  const more = moreLine(packed.left + view.more, 'more folders');
  return [
    header(`Verification · ${view.projectName}`),
    section(`${view.consistencyPercent === 100 ? '✅' : '⚠️'} *${view.consistencyPercent} % consistent*${view.summary ? `\n${esc(view.summary)}` : ''}`),
    ...(lines.length ? [context('Mailbox · folder — source → destination · ledger'), ...packed.blocks] : []),
    ...(more ? [context(more)] : []),
    context(`run ${esc(view.runId)}`),
    ...actionBlocks(view.actions, ids),
  ];
}
