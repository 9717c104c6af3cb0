import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxConnector } from '../../src/engine/connectors/sandbox/sandbox-connector.js';
import { SANDBOX_FOLDERS, folderItemCount, sandboxItem, sandboxMailboxes, sandboxStats } from '../../src/engine/connectors/sandbox/sandbox-tenant.js';
import { createEngine, type Actor, type Engine, type EngineEvent, type RunInfo, type RunOptions } from '../../src/engine/index.js';
import { scannedSandboxProject, waitForRun } from '../helpers/sandbox-project.js';
import { testEngineOptions } from '../helpers/store.js';

const admin: Actor = { orgId: 'slack:T1', userId: 'U1', userName: 'Ada', platformAdmin: true };
const helpdesk: Actor = { orgId: 'slack:T1', userId: 'U9', userName: 'Hal', platformAdmin: false };
const approver: Actor = { orgId: 'slack:T1', userId: 'U8', userName: 'Apu', platformAdmin: false };
const source = { platform: 'sandbox' as const, seed: 41, mailboxes: 3, messagesPerMailbox: 24, domain: 'a.example' };
const destination = { platform: 'sandbox' as const, seed: 42, mailboxes: 3, messagesPerMailbox: 0, domain: 'b.example', throttleRate: 0.3 };

function prepare(engine: Engine, name: string, src: typeof source & { latencyMs?: number }, dst: typeof destination): Promise<void> {
  return scannedSandboxProject(engine, admin, { name, channelKey: `slack:T1:${name}`, source: src, destination: dst });
}

/** Full runs cost credits (DESIGN §5): buy some, and name an approver to approve each hold. */
async function fund(engine: Engine): Promise<void> {
  await engine.grantRole(admin, { userId: approver.userId, role: 'approver' });
  await engine.grantCredits(admin, { amount: 100, reason: 'test credits' });
}

/** A full run, its credit hold approved when it has one. */
async function launchApproved(engine: Engine, props: { project: string; options?: RunOptions }): Promise<RunInfo> {
  const run = await engine.launchRun(admin, { ...props, mode: 'full' });
  if (run.hold?.status === 'pending_approval') await engine.decideHold(approver, { holdId: run.hold.id, decision: 'approve' });
  return run;
}

describe('copy runs on the sandbox', () => {
  let engine: Engine;
  const events: EngineEvent[] = [];

  beforeAll(async () => {
    engine = await createEngine(testEngineOptions());
    await engine.onEvent((e) => events.push(e));
    await engine.startWorkers();
    await engine.grantRole(admin, { userId: helpdesk.userId, role: 'helpdesk' });
    await fund(engine);
  });
  const launchFull = (props: { project: string; options?: RunOptions }) => launchApproved(engine, props);
  afterAll(async () => engine?.close());

  it('refuses to launch before a scan', async () => {
    await engine.createProject(admin, { name: 'early', sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey: 'c' });
    await engine.saveConnection(admin, { project: 'early', side: 'source', settings: source });
    await engine.saveConnection(admin, { project: 'early', side: 'destination', settings: destination });
    await expect(engine.launchRun(admin, { project: 'early', mode: 'full' })).rejects.toMatchObject({ code: 'NOT_SCANNED' });
    await expect(engine.launchRun(helpdesk, { project: 'early', mode: 'full' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('copies everything through a destination throttling 30 % of calls: nothing fails, the log says who throttled', async () => {
    await prepare(engine, 'throttled', source, destination);
    const run = await engine.launchRun(admin, { project: 'throttled', mode: 'full' });
    expect(run).toMatchObject({ mode: 'full', status: 'pending_approval', hold: { amount: 3, status: 'pending_approval' } });
    await engine.decideHold(approver, { holdId: run.hold!.id, decision: 'approve' });
    await expect(engine.launchRun(admin, { project: 'throttled', mode: 'delta' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const done = await waitForRun(engine, run.id);
    expect(done.status).toBe('completed');
    const expected = sandboxMailboxes(source).map((_, i) => sandboxStats(source, i + 1)).reduce((n, s) => n + s.mail + s.events + s.contacts, 0);
    expect(done.progress).toMatchObject({ mailboxesDone: 3, mailboxesFailed: 0, itemsDone: expected, itemsFailed: 0 });
    expect(done.mailboxRuns.every((m) => m.status === 'completed' && m.health === 'healthy')).toBe(true);

    // The destination, read back by a fresh connector, holds every item once.
    const reader = createSandboxConnector({ ...destination, throttleRate: 0 });
    for (const [i, box] of sandboxMailboxes(destination).entries()) {
      const folders = await reader.listFolders(box, { withStats: true });
      const [truth, own] = [sandboxStats(source, i + 1), sandboxStats(destination, i + 1)];
      // The destination tenant generates a few events and contacts of its own.
      expect(folders.reduce((n, f) => n + (f.count ?? 0), 0)).toBe(truth.mail + truth.events + truth.contacts + own.mail + own.events + own.contacts);
    }

    const log = await engine.mailboxLog(helpdesk, { address: 'user1@a.example', pageSize: 100 });
    const lines = log.entries.map((e) => e.message);
    expect(lines[0]).toMatch(/^Started full copy of user1@a\.example to user1@b\.example/);
    expect(lines.some((l) => /^Throttled \d+ ms by destination$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^Completed: \d+ items copied, 0 failed$/);
    expect(events.some((e) => e.type === 'mailbox.alert' && e.runId === run.id && /throttled by destination/.test(e.alert?.message ?? ''))).toBe(true);
    // Published after the final commit, over Redis: give it a moment to arrive.
    for (let t = 0; t < 40 && !events.some((e) => e.type === 'run.finished' && e.runId === run.id); t++) await new Promise((r) => setTimeout(r, 50));
    expect(events.filter((e) => e.type === 'run.finished' && e.runId === run.id)).toHaveLength(1);

    const status = await engine.mailboxStatus(helpdesk, { address: 'user2@b.example' });
    expect(status).toMatchObject({ sourceAddress: 'user2@a.example', status: 'completed', itemsFailed: 0, etaSeconds: 0 });
    const verification = await engine.getVerification(admin, { project: 'throttled' });
    expect(verification).toMatchObject({ runId: run.id, consistencyPercent: 100, missingTotal: 0, failedItems: 0 });
    expect(verification?.mailboxes[0]?.folders.find((f) => f.path === 'Projects/Été 2024/Заметки')).toMatchObject({ missing: 0 });
    expect((await engine.getRun(run.id)).verification).toEqual(verification);
  });

  it('copies nothing twice: a second full run finds everything in the ledger', async () => {
    const run = await launchFull({ project: 'throttled' });
    const done = await waitForRun(engine, run.id);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ itemsDone: 0, itemsFailed: 0 });
    expect(await engine.getVerification(admin, { project: 'throttled' })).toMatchObject({ runId: run.id, missingTotal: 0 });
  });

  it('moves only what a full run with options asks for: mail only, from a date on', async () => {
    const picky = { ...source, seed: 61, mailboxes: 2, messagesPerMailbox: 30, domain: 'picky-a.example' };
    const target = { ...destination, seed: 62, mailboxes: 2, domain: 'picky-b.example', throttleRate: 0 };
    await prepare(engine, 'picky', picky, target);
    const from = new Date(Date.UTC(2024, 0, 1) + 1004 * 3_600_000);
    const expected = [1, 2].reduce((n, box) => n + SANDBOX_FOLDERS.filter((f) => f.itemType === 'mail')
      .reduce((k, f) => k + Array.from({ length: folderItemCount(picky, box, f) }, (_, i) => sandboxItem(picky, box, f, i)).filter((it) => it.date >= from).length, 0), 0);
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(60);
    const run = await launchFull({ project: 'picky', options: { calendars: false, contacts: false, from: from.toISOString() } });
    expect(run.options).toEqual({ calendars: false, contacts: false, from: from.toISOString() });
    const done = await waitForRun(engine, run.id);
    expect(done.progress).toMatchObject({ itemsDone: expected, itemsFailed: 0 });
    const verification = await engine.getVerification(admin, { project: 'picky' });
    expect(verification).toMatchObject({ consistencyPercent: 100, missingTotal: 0 });
    expect(verification?.mailboxes[0]?.folders.map((f) => f.path)).not.toContain('Calendar');
  });

  it('cancels a run: running mailboxes stop, queued ones never start', async () => {
    const slow = { ...source, seed: 43, mailboxes: 6, messagesPerMailbox: 400, domain: 'slow-a.example', latencyMs: 5 };
    await prepare(engine, 'slow', slow, { ...destination, seed: 44, mailboxes: 6, domain: 'slow-b.example', throttleRate: 0 });
    const run = await launchFull({ project: 'slow' });
    // A running mailbox reports its pace and an ETA (wait for one that has moved items: a busy machine starts slowly).
    const runningOne = async () => (await Promise.all(sandboxMailboxes(slow).map((m) => engine.mailboxStatus(admin, { address: m.address }))))
      .find((m) => m.status === 'running' && m.itemsDone > 0);
    let running = await runningOne();
    for (let t = 0; t < 400 && !running; t++) {
      await new Promise((r) => setTimeout(r, 50));
      running = await runningOne();
    }
    expect(running).toMatchObject({ projectName: 'slow', mode: 'full', health: 'healthy' });
    expect(running?.itemsPerMinute).toBeGreaterThan(0);
    expect(running?.etaSeconds).toEqual(expect.any(Number));
    const cancelled = await engine.cancelRun(admin, { project: 'slow' });
    expect(cancelled).toMatchObject({ id: run.id, status: 'cancelled' });
    await new Promise((r) => setTimeout(r, 1000));
    const first = await engine.getRun(run.id);
    await new Promise((r) => setTimeout(r, 1000));
    const later = await engine.getRun(run.id);
    expect(later.status).toBe('cancelled');
    expect(later.mailboxRuns.every((m) => m.status === 'cancelled' || m.status === 'completed')).toBe(true);
    const copied = async () => (await Promise.all(sandboxMailboxes(slow).map((m) => engine.mailboxStatus(admin, { address: m.address })))).reduce((n, s) => n + s.itemsDone, 0);
    const total = sandboxMailboxes(slow).map((_, i) => sandboxStats(slow, i + 1)).reduce((n, s) => n + s.mail + s.events + s.contacts, 0);
    const before = await copied();
    expect(before).toBeLessThan(total);
    await new Promise((r) => setTimeout(r, 500));
    expect(await copied()).toBe(before);
    expect(first.status).toBe('cancelled');
    await expect(engine.cancelRun(admin, { project: 'slow' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('the stall watchdog', () => {
  let engine: Engine;
  const events: EngineEvent[] = [];

  beforeAll(async () => {
    engine = await createEngine(testEngineOptions({ stallAfterMs: 1500, reconcileEveryMs: 300 }));
    await engine.onEvent((e) => events.push(e));
    await engine.startWorkers();
    await fund(engine);
  });
  afterAll(async () => engine?.close());

  it('marks a mailbox without progress stalled, says so, and restarts it', async () => {
    // Every call takes 2.5 s: no checkpoint can land within the 1.5 s the watchdog allows.
    const slow = { ...source, seed: 51, mailboxes: 1, domain: 'stall-a.example', latencyMs: 2500 };
    await prepare(engine, 'stuck', { ...slow, latencyMs: 0 }, { ...destination, seed: 52, mailboxes: 1, domain: 'stall-b.example', throttleRate: 0 });
    await engine.saveConnection(admin, { project: 'stuck', side: 'source', settings: slow });
    const run = await launchApproved(engine, { project: 'stuck' });
    const deadline = Date.now() + 15_000;
    let lines: string[] = [];
    while (Date.now() < deadline && !lines.some((l) => l.startsWith('Started again'))) {
      await new Promise((r) => setTimeout(r, 200));
      lines = (await engine.mailboxLog(admin, { address: 'user1@stall-a.example', pageSize: 100 }).catch(() => null))?.entries.map((e) => e.message) ?? [];
    }
    expect(lines).toContain('Stalled: no progress for 2 s; restarting');
    expect(lines.some((l) => l.startsWith('Started again'))).toBe(true);
    expect(events.some((e) => e.type === 'mailbox.alert' && e.runId === run.id && /stalled: no progress/.test(e.alert?.message ?? ''))).toBe(true);
    await engine.cancelRun(admin, { project: 'stuck' });
  });
});
