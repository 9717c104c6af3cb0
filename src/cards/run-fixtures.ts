import type { MailboxLogView, MailboxStatusView, RunView, VerificationView } from './views.js';

/** Fixtures for the copy-run cards (see view-fixtures.ts): fixed dates, some hostile text. */

const projectId = '6f1c2a9e-4b7d-4e3a-9a51-0c2d8e7f1a23';

export function runFixture(status: RunView['status'] = 'running'): RunView {
  const finished = status === 'completed' || status === 'failed' || status === 'cancelled';
  return {
    kind: 'run',
    projectName: 'acme',
    runId: 'run-7c1e',
    mode: 'full',
    status,
    percent: finished ? 100 : 48,
    progressText: finished ? '998 of 1,000 mailboxes copied · 2 failed' : '480 of 1,000 mailboxes copied · 2 failed · 37 copying',
    facts: [
      { label: 'Mailboxes', value: '478 done · 2 failed · 1,000 in all' },
      { label: 'Items moved', value: '1,204,311 of 2,510,000' },
      { label: 'Data moved', value: '61.2 GB' },
      { label: 'Speed', value: '8,410 items/min' },
    ],
    rows: [
      { address: 'ceo@old-corp.example', health: 'throttled', text: 'Throttled by destination — retrying in 30 s · 12,001 / 40,210 items' },
      { address: '${x}@old-corp.example', health: 'failed', text: 'Login failed: the password was rejected' },
      { address: 'jürgen.müller@old-corp.example', health: 'stalled', text: 'No progress for 10 min — restarting · 800 / 9,120 items' },
      { address: 'sales@old-corp.example', health: 'degraded', text: '3 items could not be read' },
      { address: 'mailbox7@old-corp.example', health: 'healthy', text: '31,877 / 52,004 items · 2.3 GB' },
    ],
    more: 35,
    ...(finished ? { verification: { consistencyPercent: 99.8, text: '37 items missing in 2 mailboxes.', missing: 37 } } : {}),
    startedBy: 'Zoë Ångström',
    actions: finished
      ? [{ label: 'Retry failed', verb: 'run.launch', data: { projectId, mode: 'retry' }, style: 'primary' }]
      : [{ label: 'Cancel run', verb: 'run.cancel', data: { projectId }, style: 'danger' }],
    updatedAt: '2026-11-24T04:25:00.000Z',
  };
}

export const mailboxStatusFixture: MailboxStatusView = {
  kind: 'mailbox_status',
  address: 'ceo@old-corp.example',
  destinationAddress: 'ceo@newco.example',
  projectName: 'acme',
  mode: 'full',
  status: 'running',
  health: 'throttled',
  healthText: 'Throttled by destination — retrying in 30 s',
  percent: 30,
  facts: [
    { label: 'Items', value: '12,001 of 40,210 · 0 failed' },
    { label: 'Data moved', value: '2.1 GB' },
    { label: 'Speed', value: '410 items/min · 72 MB/min' },
    { label: 'ETA', value: 'about 1 h 10 min' },
  ],
  actions: [{ label: 'Event log', verb: 'mailbox.log', data: { address: 'ceo@old-corp.example', page: 0 } }],
  updatedAt: '2026-11-24T04:25:00.000Z',
};

export function mailboxLogFixture(entries = 25): MailboxLogView {
  return {
    kind: 'mailbox_log',
    address: 'ceo@old-corp.example',
    projectName: 'acme',
    entries: Array.from({ length: entries }, (_, i) => ({
      at: new Date(Date.UTC(2026, 10, 24, 4, i)).toISOString(),
      level: i % 7 === 3 ? 'warn' : i % 11 === 5 ? 'error' : 'info',
      message: i === 0 ? 'Started full copy of ceo@old-corp.example to ceo@newco.example' : i === 2 ? 'Copied folder ${evil} <@U123>' : `Copied folder Projects/${i} (${i * 10} items)`,
    })),
    page: 1,
    pageCount: 4,
    total: 90,
    actions: [
      { label: 'Previous', verb: 'mailbox.log', data: { address: 'ceo@old-corp.example', page: 0 } },
      { label: 'Next', verb: 'mailbox.log', data: { address: 'ceo@old-corp.example', page: 2 } },
    ],
  };
}

export function verificationFixture(mailboxes = 3): VerificationView {
  const rows = Array.from({ length: mailboxes }, (_, m) =>
    ['INBOX', 'Sent', 'Projects/Ünïcode ${f}'].map((folder, f) => {
      const missing = m === 1 && f === 0 ? 37 : 0;
      return { mailbox: `user${m}@old-corp.example`, folder, source: 100 + f, destination: 100 + f - missing, ledger: 100 + f - missing, missing };
    })).flat();
  return {
    kind: 'verification',
    projectName: 'acme',
    runId: 'run-7c1e',
    consistencyPercent: 99.8,
    summary: '37 items missing in 1 mailbox; everything else arrived.',
    rows: rows.sort((a, b) => b.missing - a.missing),
    more: 0,
    actions: [{ label: 'Retry failed', verb: 'run.launch', data: { projectId, mode: 'retry' }, style: 'primary' }],
  };
}
