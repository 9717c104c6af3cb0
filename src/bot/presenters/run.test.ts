import { describe, expect, it } from 'vitest';
import type { MailboxLogPage, MailboxProgressInfo, MailboxRunInfo, RunDetail, VerificationInfo } from '../../engine/index.js';
import { presentRun, RUN_ROW_LIMIT } from './run.js';
import { presentMailboxLog, presentMailboxStatus } from './mailbox.js';
import { presentVerification } from './verification.js';

function mailboxRun(i: number, status: MailboxRunInfo['status'], health = 'healthy', healthReason: string | null = null): MailboxRunInfo {
  return {
    id: `mr${i}`, status, health, healthReason, error: status === 'failed' ? 'Login refused by the source' : null,
    mailbox: { id: `m${i}`, side: 'source', address: `user${i}@a.example`, displayName: `User ${i}`, kind: 'user', folders: 3, mail: 10, events: 0, contacts: 0, bytes: i * 1000, scanError: null },
  };
}

function verification(missing: number): VerificationInfo {
  return {
    runId: 'r1', projectName: 'acme', consistencyPercent: missing ? 97.5 : 100, missingTotal: missing, failedItems: 0,
    mailboxes: [
      { sourceAddress: 'user1@a.example', destinationAddress: 'user1@b.example', missing: 0, folders: [{ path: 'INBOX', source: 20, destination: 20, ledger: 20, missing: 0 }] },
      { sourceAddress: 'user2@a.example', destinationAddress: 'user2@b.example', missing, folders: [{ path: 'INBOX', source: 20, destination: 20 - missing, ledger: 20 - missing, missing }, { path: 'Sent', source: 10, destination: 10, ledger: 10, missing: 0 }] },
    ],
  };
}

function run(over: Partial<RunDetail>): RunDetail {
  return {
    id: 'r1', projectId: 'p1', projectName: 'acme', channelKey: 'slack:T:C', mode: 'full', status: 'running', startedBy: 'Ada',
    createdAt: '2026-11-24T04:00:00Z', finishedAt: null, summary: null, error: null, mailboxRuns: [],
    progress: { mailboxesTotal: 1000, mailboxesDone: 400, mailboxesFailed: 2, mailboxesRunning: 30, mailboxesThrottled: 1, itemsTotal: 9000, itemsDone: 4000, itemsFailed: 0, bytesDone: 5 * 1024 * 1024 },
    ...over,
  };
}

const at = () => new Date('2026-11-24T04:10:00Z');

describe('presentRun', () => {
  it('shows totals, speed, and the unhealthy mailboxes before the busiest, with their reasons', () => {
    const rows = [
      ...Array.from({ length: 14 }, (_, i) => mailboxRun(i + 10, 'running')),
      mailboxRun(1, 'running', 'throttled_destination', 'throttled by destination, retrying in 30 s'),
      mailboxRun(2, 'failed', 'failed'),
      mailboxRun(3, 'completed'),
    ];
    const view = presentRun(run({ mailboxRuns: rows }), at);
    expect(view).toMatchObject({ kind: 'run', mode: 'full', status: 'running', percent: 40, progressText: '400 of 1,000 mailboxes copied · 2 failed · 30 copying' });
    expect(view.facts).toEqual([
      { label: 'Mailboxes', value: '400 done · 2 failed · 1,000 in all' },
      { label: 'Items moved', value: '4,000 of 9,000' },
      { label: 'Data moved', value: '5 MB' },
      { label: 'Speed', value: '400 items/min' },
      { label: 'Throttled', value: '1 mailbox' },
    ]);
    expect(view.rows).toHaveLength(RUN_ROW_LIMIT);
    expect(view.rows[0]).toEqual({ address: 'user2@a.example', health: 'failed', text: 'Login refused by the source' });
    expect(view.rows[1]).toEqual({ address: 'user1@a.example', health: 'throttled', text: 'Throttled by destination — retrying in 30 s' });
    expect(view.rows[2]).toEqual({ address: 'user23@a.example', health: 'healthy', text: 'Copying… 10 items · 22.5 KB' });
    expect(view.more).toBe(32 - RUN_ROW_LIMIT);
    expect(view.actions.map((a) => a.verb)).toEqual(['run.cancel']);
    expect(view.verification).toBeUndefined();
  });

  it('ends with the verification and no buttons when everything arrived', () => {
    const view = presentRun(run({
      status: 'completed', finishedAt: '2026-11-24T04:20:00Z', verification: verification(0), mailboxRuns: [mailboxRun(1, 'completed')],
      progress: { mailboxesTotal: 2, mailboxesDone: 2, mailboxesFailed: 0, itemsDone: 50, itemsTotal: 50, itemsFailed: 0, bytesDone: 100 },
    }), at);
    expect(view).toMatchObject({ status: 'completed', percent: 100, progressText: 'All 2 mailboxes copied.', rows: [], more: 0, actions: [] });
    expect(view.verification).toEqual({ consistencyPercent: 100, text: 'all 50 items verified at the destination.', missing: 0 });
    expect(view.updatedAt).toBe('2026-11-24T04:20:00.000Z');
  });

  it('offers Retry failed (mode retry) when anything is missing', () => {
    const view = presentRun(run({ status: 'completed', finishedAt: '2026-11-24T04:20:00Z', verification: verification(5) }), at);
    expect(view.verification).toMatchObject({ consistencyPercent: 97.5, missing: 5, text: '5 items missing in 1 mailbox.' });
    expect(view.actions).toEqual([{ label: 'Retry failed', verb: 'run.launch', data: { projectId: 'p1', mode: 'retry' }, style: 'primary' }]);
  });
});

const progress: MailboxProgressInfo = {
  mailboxRunId: 'mr1', runId: 'r1', projectName: 'acme', mode: 'full', sourceAddress: 'user1@a.example', destinationAddress: 'user1@b.example',
  status: 'running', health: 'throttled_destination', healthReason: 'throttled by destination, retrying in 30 s',
  itemsTotal: 400, itemsDone: 100, itemsFailed: 0, bytesDone: 3 * 1024 * 1024, itemsPerMinute: 50, bytesPerMinute: 1024 * 1024, etaSeconds: 360,
  startedAt: '2026-11-24T04:00:00Z', finishedAt: null, error: null,
};

describe('presentMailboxStatus and presentMailboxLog', () => {
  it('says progress, speed, health and why, and ETA', () => {
    const view = presentMailboxStatus(progress, at);
    expect(view).toMatchObject({ kind: 'mailbox_status', address: 'user1@a.example', health: 'throttled', healthText: 'Throttled by destination — retrying in 30 s', percent: 25 });
    expect(view.facts).toEqual(expect.arrayContaining([
      { label: 'Speed', value: '50 items/min · 1 MB/min' },
      { label: 'ETA', value: 'about 6 min' },
      { label: 'Items', value: '100 of 400 · 0 failed' },
    ]));
    expect(view.actions).toEqual([{ label: 'Event log', verb: 'mailbox.log', data: { address: 'user1@a.example', page: 0 } }]);
  });

  it('turns the engine’s 1-based pages into 0-based buttons', () => {
    const page = (n: number): MailboxLogPage => ({ mailbox: progress, entries: [{ at: '2026-11-24T04:00:00Z', level: 'info', message: 'Started' }], page: n, pageCount: 3, total: 55 });
    expect(presentMailboxLog(page(1)).actions.map((a) => [a.label, a.data.page])).toEqual([['Next', 1]]);
    expect(presentMailboxLog(page(2)).actions.map((a) => [a.label, a.data.page])).toEqual([['Previous', 0], ['Next', 2]]);
    expect(presentMailboxLog(page(3))).toMatchObject({ page: 2, pageCount: 3, total: 55 });
    expect(presentMailboxLog(page(3)).actions.map((a) => a.label)).toEqual(['Previous']);
  });
});

describe('presentVerification', () => {
  it('lists folders with something missing first and offers Retry failed', () => {
    const view = presentVerification(verification(5), 'p1');
    expect(view.rows[0]).toEqual({ mailbox: 'user2@a.example', folder: 'INBOX', source: 20, destination: 15, ledger: 15, missing: 5 });
    expect(view.summary).toBe('5 items missing in 1 mailbox.');
    expect(view.actions.map((a) => a.data)).toEqual([{ projectId: 'p1', mode: 'retry' }]);
    expect(presentVerification(verification(0), 'p1')).toMatchObject({ consistencyPercent: 100, actions: [], summary: 'Every item of 2 mailboxes is at the destination and in the ledger.' });
  });
});
