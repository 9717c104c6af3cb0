import type { MailboxLogPage, MailboxProgressInfo } from '../../engine/index.js';
import type { ButtonView, FactView, MailboxLogView, MailboxStatusView } from '../../cards/views.js';
import { formatBytes, formatCount, formatDuration, formatWhen } from './format.js';
import { healthOf, healthText } from './health.js';

/** One mailbox's card (`/migrate status <address>`) and its event log (`/migrate log <address>`). */

/** Log lines per chat page: a card a person reads on a phone, not an export. */
export const LOG_PAGE_SIZE = 10;

function percentOf(m: MailboxProgressInfo): number {
  if (m.status === 'completed') return 100;
  if (m.itemsTotal <= 0) return 0;
  return Math.min(100, Math.floor(((m.itemsDone + m.itemsFailed) / m.itemsTotal) * 100));
}

function eta(m: MailboxProgressInfo): string {
  if (m.status === 'completed') return `done ${formatWhen(m.finishedAt)}`;
  if (m.status !== 'running') return '—';
  return m.etaSeconds === null ? 'not known yet' : formatDuration(m.etaSeconds);
}

function facts(m: MailboxProgressInfo): FactView[] {
  const items = `${formatCount(m.itemsDone)}${m.itemsTotal ? ` of ${formatCount(m.itemsTotal)}` : ''} · ${formatCount(m.itemsFailed)} failed`;
  return [
    { label: 'Items', value: items },
    { label: 'Data moved', value: formatBytes(m.bytesDone) },
    { label: 'Speed', value: `${formatCount(m.itemsPerMinute)} items/min · ${formatBytes(m.bytesPerMinute)}/min` },
    { label: 'ETA', value: eta(m) },
    { label: 'Started', value: formatWhen(m.startedAt) },
  ];
}

export function logButton(address: string, page: number, label = 'Event log'): ButtonView {
  return { label, verb: 'mailbox.log', data: { address, page } };
}

export function presentMailboxStatus(m: MailboxProgressInfo, now: () => Date = () => new Date()): MailboxStatusView {
  return {
    kind: 'mailbox_status',
    address: m.sourceAddress,
    destinationAddress: m.destinationAddress,
    projectName: m.projectName,
    mode: m.mode,
    status: m.status,
    health: healthOf(m.status, m.health),
    healthText: healthText(m),
    percent: percentOf(m),
    facts: facts(m),
    ...(m.error && m.status !== 'failed' ? { error: m.error } : {}),
    actions: [logButton(m.sourceAddress, 0)],
    updatedAt: (m.finishedAt ? new Date(m.finishedAt) : now()).toISOString(),
  };
}

/** The engine counts pages from 1; cards and their buttons from 0 (like the match review). */
export function presentMailboxLog(log: MailboxLogPage): MailboxLogView {
  const address = log.mailbox.sourceAddress;
  const page = Math.max(0, log.page - 1);
  const actions: ButtonView[] = [];
  if (page > 0) actions.push(logButton(address, page - 1, 'Previous'));
  if (page + 1 < log.pageCount) actions.push(logButton(address, page + 1, 'Next'));
  return {
    kind: 'mailbox_log',
    address,
    projectName: log.mailbox.projectName,
    entries: log.entries,
    page,
    pageCount: log.pageCount,
    total: log.total,
    actions,
  };
}
