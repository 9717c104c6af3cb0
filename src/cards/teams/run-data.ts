import type { MailboxLogView, MailboxStatusView, RunView, VerificationView } from '../views.js';
import { copyRunStatus, logLevel, mailboxHealth, modeLabel } from '../status.js';
import { formatCount, formatUtc, moreLine, progressBar, truncate } from '../text.js';
import { teamsActions } from './actions.js';
import { toneColor } from './card-data.js';
import { progressHead, type ListLimits } from './list-data.js';

/** Template data for the copy-run cards: the living run card, one mailbox, its log, the verification. */

export function runData(view: RunView) {
  const v = view.verification;
  return {
    heading: `${modeLabel[view.mode]} run · ${view.projectName}`,
    ...progressHead(copyRunStatus[view.status], view),
    rows: view.rows.slice(0, 10).map((r) => ({
      emoji: mailboxHealth[r.health].emoji,
      address: truncate(r.address, 200),
      text: truncate(r.text, 400),
      color: toneColor[mailboxHealth[r.health].tone] === 'Accent' ? 'Default' : toneColor[mailboxHealth[r.health].tone],
    })),
    moreText: moreLine(view.more, 'more mailboxes') ?? '',
    verified: v ? 'yes' : '',
    verificationStyle: v && v.missing === 0 ? 'good' : 'warning',
    verificationText: v ? `${v.missing === 0 ? '✅' : '⚠️'} Verification: ${v.consistencyPercent} % consistent — ${v.text}` : '',
    footer: `Started by ${view.startedBy} · updated ${formatUtc(view.updatedAt)} · run ${view.runId}`,
    actions: teamsActions(view.actions),
  };
}

export function mailboxStatusData(view: MailboxStatusView) {
  const health = mailboxHealth[view.health];
  return {
    address: view.address,
    route: `${view.projectName} · ${view.mode} run${view.destinationAddress ? ` → ${view.destinationAddress}` : ''}`,
    healthText: `${health.emoji} ${view.healthText}`,
    healthColor: toneColor[health.tone] === 'Accent' ? 'Default' : toneColor[health.tone],
    bar: progressBar(view.percent),
    error: view.error ?? '',
    facts: view.facts.slice(0, 20),
    updatedAt: `Updated ${formatUtc(view.updatedAt)}`,
    actions: teamsActions(view.actions),
  };
}

export function mailboxLogData(view: MailboxLogView) {
  return {
    address: view.address,
    pageText: `${view.projectName} · page ${view.page + 1} of ${Math.max(1, view.pageCount)} · ${formatCount(view.total)} events`,
    emptyText: 'Nothing logged for this mailbox yet.',
    entries: view.entries.slice(0, 50).map((e) => ({
      emoji: logLevel[e.level].emoji,
      at: formatUtc(e.at),
      message: truncate(e.message, 500),
      color: e.level === 'info' ? 'Default' : toneColor[logLevel[e.level].tone],
    })),
    actions: teamsActions(view.actions),
  };
}

export function verificationData(view: VerificationView, limits: ListLimits) {
  const rows = view.rows.slice(0, limits.rows);
  return {
    heading: `Verification · ${view.projectName}`,
    scoreText: `${view.consistencyPercent === 100 ? '✅' : '⚠️'} ${view.consistencyPercent} % consistent`,
    scoreColor: view.consistencyPercent === 100 ? 'Good' : 'Warning',
    summary: view.summary,
    rows: rows.map((r) => ({
      place: truncate(`${r.mailbox} · ${r.folder}`, 300),
      counts: `${formatCount(r.source)} → ${formatCount(r.destination)} · ledger ${formatCount(r.ledger)}`,
      missing: r.missing ? `${formatCount(r.missing)} missing` : '✅',
      color: r.missing ? 'Attention' : 'Good',
    })),
    moreText: moreLine(view.rows.length - rows.length + view.more, 'more folders') ?? '',
    footer: `run ${view.runId}`,
    actions: teamsActions(view.actions),
  };
}
