import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/errors.js';
import type { Actor, EngineEvent } from '../../src/engine/index.js';
import { admin, approver, expectLedgerInvariants, helpdesk, openWorld, ORG, seededProject, type CreditsWorld } from './credits-helpers.js';

/** Launch → hold → approve/reject/expire on real PostgreSQL, with the races DESIGN §5 names. */
describe('credit holds on PostgreSQL', () => {
  let world: CreditsWorld;
  const events: EngineEvent[] = [];

  beforeAll(async () => {
    world = await openWorld();
    await world.engine.onEvent((e) => events.push(e));
  });
  afterEach(async () => expectLedgerInvariants(world.sql));
  afterAll(async () => world?.close());

  const runsOf = async (project: string) => (await world.sql.query(`select r.status from runs r join projects p on p.id = r.project_id where p.name = $1 and r.mode <> 'scan'`, [project])).rows;

  it('refuses a full run the org cannot pay for: nothing created, held or queued, and says what to do', async () => {
    await seededProject(world, 'poor');
    const error = await world.engine.launchRun(admin, { project: 'poor', mode: 'full' }).catch((e: unknown) => e);
    expect(AppError.is(error, 'INSUFFICIENT_CREDITS')).toBe(true);
    const e = error as AppError;
    expect(e.userMessage).toMatch(/needs 1 credit but only 0 are available \(short by 1\)/);
    expect(e.userMessage).toContain('npm run cli -- credits grant --org slack:TC --amount 1');
    expect(e.details).toMatchObject({ need: 1, available: 0, shortfall: 1, lines: [{ sourceAddress: 'poor@a.example', credits: 1, reason: 'unlicensed' }] });
    expect(await runsOf('poor')).toEqual([]);
    expect((await world.engine.credits(admin)).held).toBe(0);
  });

  it('50 concurrent launches of 50 one-mailbox projects against 10 credits create exactly 10 holds', async () => {
    await world.engine.grantCredits(admin, { amount: 10, reason: 'race test' });
    const names = Array.from({ length: 50 }, (_, i) => `race${i}`);
    for (const name of names) await seededProject(world, name);
    const results = await Promise.allSettled(names.map((project) => world.engine.launchRun(admin, { project, mode: 'full' })));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(10);
    expect(lost.every((r) => AppError.is(r.reason, 'INSUFFICIENT_CREDITS'))).toBe(true);
    for (const r of won) expect(r.value).toMatchObject({ status: 'pending_approval', hold: { status: 'pending_approval', amount: 1 } });
    const holds = await world.sql.query(`select count(*)::int as n from credit_holds where org_id = 'slack:TC'`);
    expect(holds.rows[0].n).toBe(10);
    const runs = await world.sql.query(`select count(*)::int as n from runs where mode = 'full'`);
    expect(runs.rows[0].n).toBe(10);
    const credits = await world.engine.credits(admin);
    expect(credits).toMatchObject({ balance: 10, held: 10, available: 0, pendingHolds: 10 });
    // Free the credits again for the next tests.
    for (const r of won) await world.engine.decideHold(approver, { holdId: r.value.hold!.id, decision: 'reject' });
    expect(await world.engine.credits(admin)).toMatchObject({ balance: 10, held: 0, available: 10, pendingHolds: 0 });
  });

  it('two concurrent launches of one project give one run and one hold', async () => {
    await seededProject(world, 'twice');
    const results = await Promise.allSettled([1, 2].map(() => world.engine.launchRun(admin, { project: 'twice', mode: 'full' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(AppError.is(loser?.reason, 'CONFLICT')).toBe(true);
    expect(await runsOf('twice')).toEqual([{ status: 'pending_approval' }]);
    await world.engine.cancelRun(admin, { project: 'twice' });
  });

  it('100 concurrent approvals of one hold: exactly one wins, 99 are told who approved and when', async () => {
    await seededProject(world, 'approve');
    const run = await world.engine.launchRun(admin, { project: 'approve', mode: 'full' });
    const holdId = run.hold!.id;
    await vi.waitFor(() => expect(events.some((e) => e.type === 'hold.created' && e.holdId === holdId && e.channelKey === 'slack:TC:approve')).toBe(true));
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => world.engine.decideHold(approver, { holdId, decision: 'approve' })));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(99);
    for (const r of lost) {
      expect(AppError.is(r.reason, 'CONFLICT')).toBe(true);
      expect((r.reason as AppError).userMessage).toMatch(/^Megan Bowen already approved this hold at \d\d:\d\d UTC\.$/);
      expect((r.reason as AppError).details?.hold).toMatchObject({ id: holdId, status: 'held', decidedBy: 'U2' });
    }
    expect((await world.engine.getRun(run.id)).status).toBe('queued');
    expect(await world.engine.getHold(helpdesk, holdId)).toMatchObject({ status: 'held', decidedByName: 'Megan Bowen', approverIds: ['U2'] });
    // No workers here: cancel it, which releases the hold.
    const cancelled = await world.engine.cancelRun(admin, { project: 'approve' });
    expect(cancelled.hold).toMatchObject({ status: 'released', released: 1, consumed: 0 });
    await vi.waitFor(() => expect(events.some((e) => e.type === 'credits.changed' && e.holdId === holdId && /Run of approve cancelled: 0 credits consumed, 1 released\./.test(e.note ?? ''))).toBe(true));
  });

  it('only approvers and admins decide, and a requester may not approve their own hold unless the org allows it', async () => {
    await seededProject(world, 'self');
    const requester = { ...approver, userId: 'U2' };
    await world.engine.grantRole(admin, { userId: 'U2', role: 'admin' });
    const run = await world.engine.launchRun(requester, { project: 'self', mode: 'full' });
    const holdId = run.hold!.id;
    await expect(world.engine.decideHold(helpdesk, { holdId, decision: 'approve' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(world.engine.decideHold(requester, { holdId, decision: 'approve' })).rejects.toMatchObject({ code: 'FORBIDDEN', userMessage: expect.stringMatching(/another approver or admin/) });
    const denials = (await world.engine.listAudit('slack:TC', 20)).filter((a) => a.outcome === 'denied' && a.action === 'hold.approve');
    expect(denials.map((a) => a.actor).sort()).toEqual(['U2', 'U3']);
    expect((await world.engine.getHold(admin, holdId)).status).toBe('pending_approval');
    expect(await world.engine.setCreditPolicy(admin, { selfApproval: true })).toMatchObject({ selfApproval: true });
    expect(await world.engine.decideHold(requester, { holdId, decision: 'approve' })).toMatchObject({ status: 'held', decidedBy: 'U2', selfApproval: true });
    await world.engine.setCreditPolicy(admin, { selfApproval: false });
    await world.engine.revokeRole(admin, { userId: 'U2', role: 'admin' });
    await world.engine.cancelRun(admin, { project: 'self' });
  });

  it('a rejected hold releases its credits and cancels the run with its mailboxes', async () => {
    await seededProject(world, 'reject');
    const before = await world.engine.credits(admin);
    const run = await world.engine.launchRun(admin, { project: 'reject', mode: 'full' });
    expect((await world.engine.credits(admin)).available).toBe(before.available - 1);
    const hold = await world.engine.decideHold(approver, { holdId: run.hold!.id, decision: 'reject' });
    expect(hold).toMatchObject({ status: 'rejected', released: 1, outcome: 'rejected by Megan Bowen' });
    const detail = await world.engine.getRun(run.id);
    expect(detail.status).toBe('cancelled');
    expect(detail.mailboxRuns.every((m) => m.status === 'cancelled')).toBe(true);
    expect((await world.engine.credits(admin)).available).toBe(before.available);
    await expect(world.engine.decideHold(admin, { holdId: hold.id, decision: 'approve' })).rejects.toMatchObject({ code: 'CONFLICT', userMessage: expect.stringMatching(/^Megan Bowen already rejected this hold/) });
  });

  it('a hold nobody decides within 24 h expires: credits released, run cancelled', async () => {
    await seededProject(world, 'expire');
    const run = await world.engine.launchRun(admin, { project: 'expire', mode: 'full' });
    expect(await world.engine.expireHolds()).toBe(0);
    world.clock.advance(23 * 3600_000);
    expect(await world.engine.expireHolds()).toBe(0);
    world.clock.advance(1 * 3600_000 + 1000);
    expect(await world.engine.expireHolds()).toBe(1);
    expect(await world.engine.expireHolds()).toBe(0);
    expect(await world.engine.getHold(admin, run.hold!.id)).toMatchObject({ status: 'expired', outcome: 'no decision within 24 h', released: 1 });
    expect((await world.engine.getRun(run.id)).status).toBe('cancelled');
    const [entry] = await world.engine.ledger(admin, { limit: 1 });
    expect(entry).toMatchObject({ kind: 'expire', amount: 0, heldDelta: -1, holdId: run.hold!.id });
    await expect(world.engine.decideHold(approver, { holdId: run.hold!.id, decision: 'approve' })).rejects.toMatchObject({ code: 'CONFLICT', userMessage: expect.stringMatching(/expired/) });
  });

  it('grants are admin-only, whole and reasoned; the ledger exports as CSV', async () => {
    await expect(world.engine.grantCredits(approver, { amount: 5, reason: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    for (const amount of [0, -1, 1.5, 1_000_001]) await expect(world.engine.grantCredits(admin, { amount, reason: 'x' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(world.engine.grantCredits(admin, { amount: 5, reason: '  ' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const info = await world.engine.grantCredits(admin, { amount: 5, reason: 'PO 7, "rush"' });
    expect(info.recent[0]).toMatchObject({ kind: 'grant', amount: 5, reason: 'PO 7, "rush"', actor: 'U1' });
    const csv = await world.engine.exportLedgerCsv(admin);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('id,at,kind,amount,held_delta,balance_after,hold_id,run_id,project,actor,reason');
    expect(lines.at(-1)).toMatch(/,grant,5,0,\d+,,,,U1,"PO 7, ""rush"""$/);
    const page = await world.engine.ledger(helpdesk, { limit: 3 });
    const next = await world.engine.ledger(helpdesk, { limit: 3, before: page.at(-1)!.id });
    expect(next[0]!.id).toBeLessThan(page.at(-1)!.id);
  });
});

/** The approval card names who can decide: it must be exactly who decideHold accepts, operators included. */
describe('approvers listed on a hold', () => {
  const OPERATOR = 'U_OPS';
  let world: CreditsWorld;
  const person = (userId: string): Actor => ({ orgId: ORG, userId, userName: userId, platformAdmin: false });

  beforeAll(async () => {
    // U2 is an operator and a stored approver: listed once.
    world = await openWorld({ admins: [OPERATOR, approver.userId] });
    await world.engine.grantCredits(admin, { amount: 5, reason: 'approvers test' });
  });
  afterEach(async () => expectLedgerInvariants(world.sql));
  afterAll(async () => world?.close());

  it('lists the operators of MAILFERRY_ADMINS with the stored approvers, once each, and each of them may decide', async () => {
    await seededProject(world, 'listed');
    const run = await world.engine.launchRun(admin, { project: 'listed', mode: 'full' });
    const hold = await world.engine.getHold(admin, run.hold!.id);
    expect(hold.approverIds).toEqual([OPERATOR, approver.userId]);
    expect(hold.approverChatIds).toEqual([OPERATOR, approver.userId]);
    expect(hold.approverIds).not.toContain(helpdesk.userId);
    // Whoever the card lists is accepted by the server…
    for (const id of hold.approverIds) await expect(world.engine.authorize(person(id), ['admin', 'approver'], 'hold.approve')).resolves.toBeUndefined();
    // …and the operator, who holds no stored role in this org, really approves.
    expect(await world.engine.rolesOf(person(OPERATOR))).toEqual(['admin']);
    expect(await world.engine.decideHold(person(OPERATOR), { holdId: hold.id, decision: 'approve' })).toMatchObject({ status: 'held', decidedBy: OPERATOR });
    await world.engine.cancelRun(admin, { project: 'listed' });
  });

  it('keeps the operators within the 60 ids a Teams card refresh takes', async () => {
    for (let i = 0; i < 70; i += 1) await world.engine.grantRole(admin, { userId: `UAPPR${String(i).padStart(3, '0')}`, role: 'approver' });
    await seededProject(world, 'crowded');
    const run = await world.engine.launchRun(admin, { project: 'crowded', mode: 'full' });
    expect(run.hold!.approverIds).toHaveLength(60);
    expect(new Set(run.hold!.approverIds).size).toBe(60);
    expect(run.hold!.approverIds.slice(0, 2)).toEqual([OPERATOR, approver.userId]);
    await world.engine.cancelRun(admin, { project: 'crowded' });
  });
});
