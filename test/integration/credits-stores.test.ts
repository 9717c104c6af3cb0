import { afterAll, describe, expect, it, vi } from 'vitest';
import { chargeFirstItem } from '../../src/engine/credits/license-charger.js';
import { openStore } from '../../src/engine/db/client.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { testEngineOptions } from '../helpers/store.js';
import { admin, approver, dst, expectLedgerInvariants, openWorld, scannedProject, seededProject, src, waitForRun } from './credits-helpers.js';

describe('consumption is idempotent across processes (PostgreSQL)', () => {
  it('ten concurrent first items of one mailbox run, each from its own session, consume one credit and one license', async () => {
    const world = await openWorld();
    const store = await openStore({ databaseUrl: world.databaseUrl });
    try {
      await seededProject(world, 'twin');
      await world.engine.grantCredits(admin, { amount: 3, reason: 'twin test' });
      const run = await world.engine.launchRun(admin, { project: 'twin', mode: 'full' });
      await world.engine.decideHold(approver, { holdId: run.hold!.id, decision: 'approve' });
      const { rows: [box] } = await world.sql.query(`update mailbox_runs set status = 'running' where run_id = $1 returning id`, [run.id]);
      // Each "process" has its own session object: only the database can keep them from charging twice.
      await Promise.all(Array.from({ length: 10 }, () => store.db.transaction((tx) => chargeFirstItem(tx, { mode: 'full', mailboxRunId: box.id, run: { runId: run.id } }, new Date()))));
      const consumed = (await world.engine.ledger(admin)).filter((e) => e.kind === 'consume');
      expect(consumed).toHaveLength(1);
      expect(await world.engine.getHold(admin, run.hold!.id)).toMatchObject({ consumed: 1 });
      expect(await world.engine.credits(admin)).toMatchObject({ balance: 2, held: 0, licenses: 1 });
      await expectLedgerInvariants(world.sql);
      await world.engine.cancelRun(admin, { project: 'twin' });
      await expectLedgerInvariants(world.sql);
    } finally {
      await store.close();
      await world.close();
    }
  }, 60_000);
});

describe('credits on PGlite', () => {
  let engine: Engine;
  afterAll(async () => engine?.close());

  it('launch → approve → consume → release, and the balance is the sum of the ledger', async () => {
    engine = await createEngine(testEngineOptions());
    await engine.startWorkers();
    await engine.grantRole(admin, { userId: approver.userId, role: 'approver' });
    await scannedProject(engine, 'lite', src(3, 4, 'lite-a.example'), dst(3, 'lite-b.example'));
    await expect(engine.launchRun(admin, { project: 'lite', mode: 'full' })).rejects.toMatchObject({ code: 'INSUFFICIENT_CREDITS' });
    await engine.grantCredits(admin, { amount: 5, reason: 'lite' });
    const run = await engine.launchRun(admin, { project: 'lite', mode: 'full' });
    expect(run.hold).toMatchObject({ amount: 3, status: 'pending_approval' });
    await engine.decideHold(approver, { holdId: run.hold!.id, decision: 'approve' });
    expect((await waitForRun(engine, run.id)).status).toBe('completed');
    await vi.waitFor(async () => expect(await engine.getHold(admin, run.hold!.id)).toMatchObject({ status: 'consumed', consumed: 3, released: 0 }));
    const credits = await engine.credits(admin);
    expect(credits).toMatchObject({ balance: 2, held: 0, available: 2, consumed: 3, licenses: 3 });
    const entries = await engine.ledger(admin, { limit: 500 });
    expect(entries.reduce((n, e) => n + e.amount, 0)).toBe(credits.balance);
    expect(entries.reduce((n, e) => n + e.heldDelta, 0)).toBe(credits.held);
  }, 60_000);

  it('the demo org gets 100 credits once, however often the demo is ensured', async () => {
    const local = { orgId: 'local', userId: 'cli:demo', userName: 'demo', platformAdmin: true };
    await engine.ensureDemoProject('local', 'teams:demo');
    await engine.ensureDemoProject('local', 'teams:demo');
    expect(await engine.credits(local)).toMatchObject({ balance: 100, available: 100 });
    expect((await engine.ledger(local)).map((e) => [e.kind, e.amount, e.reason])).toEqual([['grant', 100, 'demo credits']]);
    // The Playground has one user: the demo lets the launcher approve, until an admin turns it off (which sticks).
    expect((await engine.credits(local)).policy.selfApproval).toBe(true);
    await engine.setCreditPolicy(local, { selfApproval: false });
    await engine.ensureDemoProject('local', 'teams:demo');
    expect((await engine.credits(local)).policy.selfApproval).toBe(false);
  }, 60_000);
});
