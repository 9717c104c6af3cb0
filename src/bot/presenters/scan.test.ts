import { describe, expect, it } from 'vitest';
import type { MailboxRunInfo, RunDetail } from '../../engine/index.js';
import { presentScan, SCAN_ROW_LIMIT } from './scan.js';

function mailboxRun(i: number, status: MailboxRunInfo['status'], bytes: number): MailboxRunInfo {
  return {
    id: `mr${i}`, status, health: 'healthy', healthReason: null, error: status === 'failed' ? 'Login refused' : null,
    itemsTotal: 0, itemsDone: 0, itemsFailed: 0, bytesDone: 0, lastProgressAt: null,
    mailbox: { id: `m${i}`, side: 'source', address: `user${i}@a.example`, displayName: `User ${i}`, kind: 'user', folders: 3, mail: 1000 + i, events: 0, contacts: 0, bytes, scanError: null },
  };
}

function run(over: Partial<RunDetail>): RunDetail {
  return {
    id: 'r1', projectId: 'p1', projectName: 'acme', channelKey: 'slack:T:C', mode: 'scan', status: 'running', startedBy: 'U1', startedByName: 'Ada Lovelace',
    createdAt: '2026-11-24T04:00:00Z', finishedAt: null, progress: {}, summary: null, error: null, mailboxRuns: [], ...over,
  };
}

describe('presentScan', () => {
  it('shows failed and busiest mailboxes first, at most 20, and counts the rest', () => {
    const rows = Array.from({ length: 30 }, (_, i) => mailboxRun(i, i === 29 ? 'failed' : 'completed', i * 1024 * 1024));
    const view = presentScan(run({ mailboxRuns: rows }));
    expect(view.rows).toHaveLength(SCAN_ROW_LIMIT);
    expect(view.more).toBe(10);
    expect(view.rows[0]).toMatchObject({ address: 'user29@a.example', state: 'failed', text: 'Login refused' });
    expect(view.rows[1]!.address).toBe('user28@a.example');
    expect(view.rows[1]!.text).toBe('1,028 items · 28 MB · 3 folders');
    expect(view.percent).toBe(100);
    expect(view.progressText).toBe('30 of 30 mailboxes scanned · 1 failed');
  });

  it('summarises a completed scan in words', () => {
    const side = { mailboxes: 1200, folders: 24_000, mail: 1_234_567, events: 0, contacts: 0, bytes: 45.2 * 1024 ** 3 };
    const view = presentScan(run({
      status: 'completed', finishedAt: '2026-11-24T04:10:00Z', progress: { mailboxesTotal: 1200, mailboxesDone: 1200, mailboxesFailed: 0 },
      summary: { source: side, destination: { ...side, mailboxes: 1100 }, largest: { address: 'ceo@a.example', bytes: 9 * 1024 ** 3, items: 80_000 }, failed: 0, predictedFullRunSeconds: 12_000 },
    }));
    const facts = Object.fromEntries(view.facts.map((f) => [f.label, f.value]));
    expect(facts.Source).toBe('1,200 mailboxes · 24,000 folders · 1,234,567 items · 45.2 GB');
    expect(facts.Destination).toMatch(/^1,100 mailboxes/);
    expect(facts['Largest mailbox']).toBe('ceo@a.example · 9 GB · 80,000 items');
    expect(facts['Predicted full run']).toBe('about 3 h 20 min');
    expect(view.status).toBe('completed');
    expect(view.actions.map((a) => a.verb)).toEqual(['match.open', 'scan.start']);
  });

  it('says a queued scan is waiting', () => {
    const view = presentScan(run({ status: 'queued' }));
    expect(view.percent).toBe(0);
    expect(view.progressText).toMatch(/waiting for a worker/);
  });

  it('names who started it, and falls back to the user id for runs stored before names were', () => {
    expect(presentScan(run({})).startedBy).toBe('Ada Lovelace');
    expect(presentScan(run({ startedByName: null })).startedBy).toBe('U1');
  });
});
