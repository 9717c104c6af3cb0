import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EngineEvent, MappingInfo } from '../../src/engine/index.js';
import { admin, approver, dst, expectLedgerInvariants, openWorld, scannedProject, src, waitForRun, type CreditsWorld } from './credits-helpers.js';

/**
 * Consumption and the licensing rules of DESIGN §5 on full sandbox runs (real PostgreSQL, real
 * workers). Sandbox source mailboxes: user1, user2, user4, user6 are users, user3 shared, user5 a room.
 */
describe('credits consumed by full runs', () => {
  let world: CreditsWorld;
  const events: EngineEvent[] = [];
  const P = 'contoso';
  const YEAR_MS = 366 * 86_400_000;

  beforeAll(async () => {
    // b.example cannot create mailboxes (like IMAP): a create_missing mapping fails before its first item.
    world = await openWorld({ workers: true, noCreate: ['b.example'] });
    await world.engine.onEvent((e) => events.push(e));
    await scannedProject(world.engine, P, src(6, 8), dst(6));
  }, 60_000);
  afterEach(async () => expectLedgerInvariants(world.sql));
  afterAll(async () => world?.close());

  const row = async (address: string): Promise<MappingInfo> => {
    const review = await world.engine.getMatchReview(admin, { project: P, filter: 'all', pageSize: 100 });
    const found = review.rows.find((r) => r.source.address === address);
    if (!found) throw new Error(`no mapping of ${address}`);
    return found;
  };
  const setKind = (address: string, kind: string) => world.sql.query(`update mailboxes set kind = $1 where address = $2 and side = 'source'`, [kind, address]);
  const consumeEntries = async () => (await world.engine.ledger(admin, { limit: 500 })).filter((e) => e.kind === 'consume');

  it('approve → one credit per mailbox when its first item moves → the remainder released; a mailbox failing before its first item pays nothing', async () => {
    await world.engine.updateMapping(admin, { project: P, mappingId: (await row('user6@a.example')).id, change: { type: 'create_missing', destinationAddress: 'new6@b.example' } });
    await world.engine.grantCredits(admin, { amount: 10, reason: 'first purchase' });
    const need = await world.engine.creditNeed(approver, { project: P });
    expect(need).toMatchObject({ need: 5, available: 10, shortfall: 0 });
    expect(need.lines.find((l) => l.sourceAddress === 'user5@a.example')).toMatchObject({ kind: 'room', credits: 0, reason: 'resource mailbox: free' });
    expect(need.lines.find((l) => l.sourceAddress === 'user3@a.example')).toMatchObject({ kind: 'shared', credits: 1, reason: 'unlicensed' });

    const run = await world.engine.launchRun(admin, { project: P, mode: 'full' });
    expect(run).toMatchObject({ status: 'pending_approval', hold: { amount: 5, availableBefore: 10, availableAfter: 5, requestedBy: 'U1' } });
    // Nothing moves before the approval.
    await new Promise((r) => setTimeout(r, 300));
    expect((await world.engine.getRun(run.id)).mailboxRuns.filter((m) => m.status !== 'failed').every((m) => m.status === 'pending' && m.itemsDone === 0)).toBe(true);
    expect(await consumeEntries()).toEqual([]);

    await world.engine.decideHold(approver, { holdId: run.hold!.id, decision: 'approve' });
    const done = await waitForRun(world.engine, run.id);
    expect(done.status).toBe('completed');
    expect(done.mailboxRuns.find((m) => m.mailbox.address === 'user6@a.example')?.status).toBe('failed');

    const consumed = await consumeEntries();
    expect(consumed.map((e) => e.reason.replace(/^1 credit consumed: license for /, '')).sort())
      .toEqual(['user1@a.example', 'user2@a.example', 'user3@a.example (shared)', 'user4@a.example']);
    expect(consumed.every((e) => e.amount === -1 && e.heldDelta === -1 && e.runId === run.id)).toBe(true);
    await vi.waitFor(async () => expect(await world.engine.getHold(admin, run.hold!.id)).toMatchObject({ status: 'consumed', consumed: 4, released: 1, outcome: 'run finished: 4 consumed, 1 released' }));
    expect(await world.engine.credits(admin)).toMatchObject({ balance: 6, held: 0, available: 6, consumed: 4, licenses: 4, pendingHolds: 0 });
    await vi.waitFor(() => expect(events.some((e) => e.type === 'credits.changed' && e.note === 'Run of contoso finished: 4 credits consumed, 1 released.')).toBe(true));
  });

  it('a re-run of licensed mailboxes is free: no hold, queued at once, nothing consumed', async () => {
    await world.engine.updateMapping(admin, { project: P, mappingId: (await row('user6@a.example')).id, change: { type: 'exclude' } });
    expect((await world.engine.creditNeed(admin, { project: P })).need).toBe(0);
    const run = await world.engine.launchRun(admin, { project: P, mode: 'full' });
    expect(run).toMatchObject({ status: 'queued', hold: null });
    expect((await waitForRun(world.engine, run.id)).status).toBe('completed');
    expect(await consumeEntries()).toHaveLength(4);
    expect(await world.engine.credits(admin)).toMatchObject({ balance: 6, available: 6, consumed: 4 });
  });

  it('delta, structure and retry runs are free even for an unlicensed mailbox', async () => {
    await world.engine.updateMapping(admin, { project: P, mappingId: (await row('user6@a.example')).id, change: { type: 'create_missing', destinationAddress: 'new6@b.example' } });
    for (const mode of ['delta', 'structure', 'retry'] as const) {
      const run = await world.engine.launchRun(admin, { project: P, mode });
      expect(run, mode).toMatchObject({ status: 'queued', hold: null });
      await waitForRun(world.engine, run.id);
    }
    expect(await consumeEntries()).toHaveLength(4);
    expect(await world.engine.credits(admin)).toMatchObject({ balance: 6, held: 0, consumed: 4 });
  });

  it('renaming the destination costs nothing: the license follows the source identity', async () => {
    await world.engine.updateMapping(admin, { project: P, mappingId: (await row('user1@a.example')).id, change: { type: 'override', destinationAddress: 'user5@b.example' } });
    const need = await world.engine.creditNeed(admin, { project: P });
    expect(need.lines.find((l) => l.sourceAddress === 'user1@a.example')).toMatchObject({ credits: 0, reason: expect.stringMatching(/^licensed until \d{4}-\d\d-\d\d$/) });
    await world.engine.updateMapping(admin, { project: P, mappingId: (await row('user1@a.example')).id, change: { type: 'override', destinationAddress: 'user1@b.example' } });
  });

  it('an archive is its own license even when its user is licensed', async () => {
    await setKind('user4@a.example', 'archive');
    const need = await world.engine.creditNeed(admin, { project: P });
    expect(need.lines.find((l) => l.sourceAddress === 'user4@a.example')).toMatchObject({ kind: 'archive', credits: 1, reason: 'archive: its own license' });
    await setKind('user4@a.example', 'user');
  });

  it('public folders cost 25 credits once per project', async () => {
    await world.engine.updateMapping(admin, { project: P, mappingId: (await row('user6@a.example')).id, change: { type: 'override', destinationAddress: 'user6@b.example' } });
    await setKind('user6@a.example', 'public_folders');
    const need = await world.engine.creditNeed(admin, { project: P });
    expect(need).toMatchObject({ need: 25, shortfall: 19 });
    expect(need.lines.find((l) => l.sourceAddress === 'user6@a.example')).toMatchObject({ credits: 25, reason: 'public folders: 25 once per project' });
    await expect(world.engine.launchRun(admin, { project: P, mode: 'full' })).rejects.toMatchObject({ code: 'INSUFFICIENT_CREDITS', details: { need: 25, available: 6, shortfall: 19 } });
    await world.engine.grantCredits(admin, { amount: 19, reason: 'public folders' });
    const run = await world.engine.launchRun(admin, { project: P, mode: 'full' });
    await world.engine.decideHold(approver, { holdId: run.hold!.id, decision: 'approve' });
    expect((await waitForRun(world.engine, run.id)).status).toBe('completed');
    await vi.waitFor(async () => expect(await world.engine.credits(admin)).toMatchObject({ balance: 0, held: 0, consumed: 29, licenses: 5 }));
    expect((await world.engine.creditNeed(admin, { project: P })).need).toBe(0);
  });

  it('a license lapses after 12 months: the next full run costs again', async () => {
    const licensed = await world.engine.creditNeed(admin, { project: P });
    expect(licensed.need).toBe(0);
    world.clock.advance(YEAR_MS);
    const need = await world.engine.creditNeed(admin, { project: P });
    expect(need.lines.filter((l) => l.credits > 0).map((l) => `${l.sourceAddress}:${l.credits}`).sort())
      .toEqual(['user1@a.example:1', 'user2@a.example:1', 'user3@a.example:1', 'user4@a.example:1', 'user6@a.example:25']);
    expect((await world.engine.credits(admin)).licenses).toBe(0);
  });
});
