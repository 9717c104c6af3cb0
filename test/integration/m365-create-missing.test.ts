/**
 * Create-missing at copy time (issue 5), on any connector that creates mailboxes: the user is
 * created once (even when the worker dies right after creating it), recorded as the mapping's
 * destination, the mailbox run waits until the mailbox is provisioned, then copies; a run
 * launched without a usage location and license fails that mailbox with a sentence and charges
 * nothing. The destination here is a sandbox tenant given createMailbox/mailboxReady, so the
 * engine's side is tested without Graph (m365-chat-* cover the real connector).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createConnector } from '../../src/engine/connectors/index.js';
import type { ConnectionSettings, Connector, CreateMailboxSpec, MailboxRef } from '../../src/engine/connectors/types.js';
import { createEngine, type Actor, type Engine } from '../../src/engine/index.js';
import { AppError } from '../../src/errors.js';
import { createDatabase, testEngineOptions } from '../helpers/store.js';
import { dropWhenIdle } from './m365-chat-setup.js';
import { waitForRun } from '../helpers/sandbox-project.js';

const admin: Actor = { orgId: 'slack:TCM', userId: 'U1', userName: 'Ada Admin', platformAdmin: true };
const approver: Actor = { orgId: 'slack:TCM', userId: 'U2', userName: 'Megan Bowen', platformAdmin: false };
const PROVISIONING_MS = 2500;

/** The directory of the destination tenant: who was created, when, with what. */
const directory = new Map<string, { at: number; spec: CreateMailboxSpec }>();
const createCalls: string[] = [];
/** The first create of this address "kills the worker" right after the user exists. */
let dieAfterCreating: string | null = 'user7@b.example';
/** The sandbox tenant has user1…8, but user7 and user8 do not exist until created. */
const NOT_YET = ['user7@b.example', 'user8@b.example'];

async function connect(settings: ConnectionSettings): Promise<Connector> {
  const connector = await createConnector(settings, {});
  if (settings.platform !== 'sandbox' || settings.domain !== 'b.example') return connector;
  const creating = Object.create(connector) as Connector;
  creating.listMailboxes = async (page, signal) => {
    const listed = await connector.listMailboxes(page, signal);
    return { ...listed, mailboxes: listed.mailboxes.filter((m) => !NOT_YET.includes(m.address) || directory.has(m.address)) };
  };
  creating.createMailbox = async (spec: CreateMailboxSpec): Promise<MailboxRef> => {
    createCalls.push(spec.address);
    // Like the Microsoft 365 connector: a retry of the attempt that created the user adopts it; anyone else is refused.
    if (directory.has(spec.address) && spec.adopt) return { id: `sandbox:b.example:${spec.address.split('@')[0]}`, address: spec.address, displayName: spec.displayName, kind: 'user' };
    if (directory.has(spec.address)) throw new AppError('CONFLICT', `A user ${spec.address} already exists in the tenant: map to it instead of creating it.`);
    directory.set(spec.address, { at: Date.now(), spec });
    if (dieAfterCreating === spec.address) {
      dieAfterCreating = null;
      throw new Error('worker killed after the user was created');
    }
    return { id: `sandbox:b.example:${spec.address.split('@')[0]}`, address: spec.address, displayName: spec.displayName, kind: 'user' };
  };
  creating.mailboxReady = async (ref: MailboxRef) => {
    const entry = directory.get(ref.address);
    return entry !== undefined && Date.now() - entry.at >= PROVISIONING_MS;
  };
  return creating;
}

describe('create missing destination users at copy time', () => {
  let engine: Engine;
  let sql: pg.Pool;
  let drop: () => Promise<void>;
  let databaseUrl = '';

  beforeAll(async () => {
    const db = await createDatabase();
    drop = db.drop;
    databaseUrl = db.databaseUrl;
    engine = await createEngine(testEngineOptions({ databaseUrl: db.databaseUrl, reconcileEveryMs: 300, connect }));
    sql = new pg.Pool({ connectionString: db.databaseUrl, max: 2 });
    sql.on('error', () => undefined);
    await engine.grantRole(admin, { userId: approver.userId, role: 'approver' });
    await engine.startWorkers();
    await engine.createProject(admin, { name: 'grow', sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey: 'slack:TCM:C1' });
    await engine.saveConnection(admin, { project: 'grow', side: 'source', settings: { platform: 'sandbox', seed: 5, mailboxes: 8, messagesPerMailbox: 4, domain: 'a.example' } });
    await engine.saveConnection(admin, { project: 'grow', side: 'destination', settings: { platform: 'sandbox', seed: 6, mailboxes: 8, messagesPerMailbox: 0, domain: 'b.example' } });
    const scan = await engine.startScan(admin, { project: 'grow' });
    expect((await waitForRun(engine, scan.id)).status).toBe('completed');
    const review = await engine.getMatchReview(admin, { project: 'grow', filter: 'all', pageSize: 50 });
    for (const row of review.rows) {
      const n = /^user(\d+)@/.exec(row.source.address)![1]!;
      const change = Number(n) > 6
        ? { type: 'create_missing' as const, destinationAddress: `user${n}@b.example` }
        : { type: 'override' as const, destinationAddress: `user${n}@b.example` };
      await engine.updateMapping(admin, { project: 'grow', mappingId: row.id, change });
    }
    await engine.grantCredits(admin, { amount: 50, reason: 'test' });
  }, 60_000);

  afterAll(async () => {
    await engine?.close();
    await sql?.end();
    if (drop) await dropWhenIdle(databaseUrl, drop);
  });

  const launchApproved = async (options?: Parameters<Engine['launchRun']>[1]['options']) => {
    const run = await engine.launchRun(admin, { project: 'grow', mode: 'full', ...(options ? { options } : {}) });
    if (run.hold && run.status === 'pending_approval') await engine.decideHold(approver, { holdId: run.hold.id, decision: 'approve' });
    const done = await waitForRun(engine, run.id);
    // The hold settles just after the run ends (the remainder is released): let it, so nothing is left writing.
    if (run.hold) await vi.waitFor(async () => expect(['consumed', 'released']).toContain((await engine.getHold(admin, run.hold!.id)).status), { timeout: 10_000 });
    return done;
  };

  it('plans the users to create and offers no license choice on a platform without licenses', async () => {
    const plan = await engine.createMissingPlan(admin, { project: 'grow' });
    expect(plan.toCreate).toEqual([
      { sourceAddress: 'user7@a.example', destinationAddress: 'user7@b.example' },
      { sourceAddress: 'user8@a.example', destinationAddress: 'user8@b.example' },
    ]);
    // This fake has createMailbox but no listLicenseSkus: no choice to make.
    expect(plan.createsUsers).toBe(false);
  });

  it('without a usage location and license the two mailboxes fail with a sentence, nothing is created and nothing is charged', async () => {
    const run = await launchApproved();
    const failed = run.mailboxRuns.filter((m) => m.status === 'failed');
    expect(failed.map((m) => m.mailbox.address).sort()).toEqual(['user7@a.example', 'user8@a.example']);
    expect(failed[0]!.error).toMatch(/does not exist at the destination yet.*usage location and license/);
    expect(createCalls).toEqual([]);
    const consumed = (await engine.ledger(admin, { limit: 100 })).filter((e) => e.kind === 'consume').map((e) => e.reason);
    expect(consumed.some((r) => /user[78]@a\.example/.test(r))).toBe(false);
  }, 60_000);

  it('creates each user once (even when the worker dies right after), waits for the mailbox, then copies', async () => {
    const started = Date.now();
    const run = await launchApproved({ createMissing: { usageLocation: 'DE', skuId: 'sku-1' } });
    expect(run.status).toBe('completed');
    expect(run.mailboxRuns.filter((m) => m.status !== 'completed').map((m) => [m.mailbox.address, m.error])).toEqual([]);
    expect([...directory.keys()].sort()).toEqual(['user7@b.example', 'user8@b.example']);
    expect(directory.get('user8@b.example')!.spec).toEqual({ address: 'user8@b.example', displayName: expect.any(String), usageLocation: 'DE', skuId: 'sku-1', adopt: false });
    // new7: created, the worker died, the retry found it already there and used it; never a third call.
    expect(createCalls.filter((a) => a === 'user7@b.example')).toHaveLength(2);
    expect(createCalls.filter((a) => a === 'user8@b.example')).toHaveLength(1);
    for (const address of ['user7@a.example', 'user8@a.example']) {
      const mailbox = run.mailboxRuns.find((m) => m.mailbox.address === address)!;
      expect(mailbox.itemsDone).toBeGreaterThan(0);
      const log = (await engine.mailboxLog(admin, { address, pageSize: 100 })).entries.map((e) => e.message);
      const createdAt = log.findIndex((m) => /^Created user user[78]@b\.example; waiting for the mailbox$/.test(m));
      const readyAt = log.findIndex((m) => /^Mailbox user[78]@b\.example is ready$/.test(m));
      expect(createdAt).toBeGreaterThanOrEqual(0);
      expect(readyAt).toBeGreaterThan(createdAt);
    }
    // No item was written before its mailbox was provisioned.
    expect(Date.now() - started).toBeGreaterThanOrEqual(PROVISIONING_MS);
    const { rows } = await sql.query<{ address: string; destination: string; status: string; reason: string }>(`select s.address, d.address as destination, m.status, m.reason from mappings m
      join mailboxes s on s.id = m.source_mailbox_id join mailboxes d on d.id = m.destination_mailbox_id where s.address in ('user7@a.example', 'user8@a.example') order by s.address`);
    expect(rows).toEqual([
      { address: 'user7@a.example', destination: 'user7@b.example', status: 'matched', reason: 'created by mailferry' },
      { address: 'user8@a.example', destination: 'user8@b.example', status: 'matched', reason: 'created by mailferry' },
    ]);
    // Once created they are destinations like any other: the plan has nothing left to create.
    expect((await engine.createMissingPlan(admin, { project: 'grow' })).toCreate).toEqual([]);
  }, 90_000);
});
