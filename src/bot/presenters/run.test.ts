import { describe, expect, it } from 'vitest';
import type { MailboxLogPage, MailboxProgressInfo, MailboxRunInfo, RunDetail, VerificationInfo } from '../../engine/index.js';
import { presentRun, RUN_ROW_LIMIT } from './run.js';
import { presentMailboxLog, presentMailboxStatus } from './mailbox.js';
import { presentVerification } from './verification.js';

function mailboxRun(i: number, status: MailboxRunInfo['status'], health = 'healthy', healthReason: string | null = null, over: Partial<MailboxRunInfo> = {}): MailboxRunInfo {
  return {
    id: `mr${i}`, status, health, healthReason, error: status === 'failed' ? 'Login refused by the source' : null,
    itemsTotal: 0, itemsDone: 0, itemsFailed: 0, bytesDone: 0, lastProgressAt: null, ...over,
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
    id: 'r1', projectId: 'p1', projectName: 'acme', channelKey: 'slack:T:C', mode: 'full', status: 'running', startedBy: 'U1', startedByName: 'Ada Lovelace',
    createdAt: '2026-11-24T04:00:00Z', finishedAt: null, summary: null, error: null, mailboxRuns: [],
    progress: { mailboxesTotal: 1000, mailboxesDone: 400, mailboxesFailed: 2, mailboxesRunning: 30, mailboxesThrottled: 1, itemsTotal: 9000, itemsDone: 4000, itemsFailed: 0, bytesDone: 5 * 1024 * 1024 },
    ...over,
  };
}

const at = () => new Date('2026-11-24T04:10:00Z');

describe('presentRun', () => {
  it('shows totals, speed, and the unhealthy mailboxes before the busiest, with their reasons', () => {
    // user10…user23 move items; user23 moved the most but nothing in the last 20 minutes.
    const busy = (i: number) => ({ itemsTotal: 5000, itemsDone: i * 100, bytesDone: i * 1024, lastProgressAt: i === 23 ? '2026-11-24T03:50:00Z' : '2026-11-24T04:09:30Z' });
    const rows = [
      ...Array.from({ length: 14 }, (_, i) => mailboxRun(i + 10, 'running', 'healthy', null, busy(i + 10))),
      mailboxRun(1, 'running', 'throttled_destination', 'throttled by destination, retrying in 30 s', { itemsTotal: 5000, itemsDone: 1234 }),
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
    expect(view.rows[1]).toEqual({ address: 'user1@a.example', health: 'throttled', text: 'Throttled by destination — retrying in 30 s · 1,234 / 5,000 items' });
    expect(view.rows[2]).toEqual({ address: 'user22@a.example', health: 'healthy', text: '2,200 / 5,000 items · 22 KB' });
    expect(view.rows.slice(2).map((r) => r.address)).toEqual([22, 21, 20, 19, 18, 17, 16, 15].map((i) => `user${i}@a.example`));
    expect(view.startedBy).toBe('Ada Lovelace');
    expect(view.more).toBe(32 - RUN_ROW_LIMIT);
    expect(view.actions.map((a) => a.verb)).toEqual(['run.cancel']);
    expect(view.verification).toBeUndefined();
  });

  it('says how far a mailbox got, including failed items, and that one without progress is starting', () => {
    const view = presentRun(run({ mailboxRuns: [
      mailboxRun(1, 'running', 'healthy', null, { itemsTotal: 0, itemsDone: 0, lastProgressAt: null }),
      mailboxRun(2, 'running', 'stalled', null, { itemsTotal: 900, itemsDone: 300, itemsFailed: 4, lastProgressAt: '2026-11-24T03:55:00Z' }),
      mailboxRun(3, 'running', 'healthy', null, { itemsTotal: 0, itemsDone: 12, bytesDone: 2048, lastProgressAt: '2026-11-24T04:09:00Z' }),
    ] }), at);
    expect(view.rows).toEqual([
      { address: 'user2@a.example', health: 'stalled', text: 'No progress for a while — restarting · 300 / 900 items · 4 failed' },
      { address: 'user3@a.example', health: 'healthy', text: '12 items · 2 KB' },
      { address: 'user1@a.example', health: 'healthy', text: 'Starting…' },
    ]);
  });

  it('names the launcher by user id for runs stored before names were', () => {
    expect(presentRun(run({ startedByName: null }), at).startedBy).toBe('U1');
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
