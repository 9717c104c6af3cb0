import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxWillFail } from '../../src/engine/connectors/sandbox/sandbox-connector.js';
import { sandboxMailboxes, sandboxStats } from '../../src/engine/connectors/sandbox/sandbox-tenant.js';
import { createEngine, type Actor, type Engine, type EngineEvent, type MappingInfo, type RunDetail } from '../../src/engine/index.js';
import { prepareTarget, storeTargets, testEngineOptions } from '../helpers/store.js';
import { waitForRun } from '../helpers/sandbox-project.js';

const admin: Actor = { orgId: 'teams:T9', userId: 'U_ADMIN', userName: 'Ada', platformAdmin: true };
const source = { platform: 'sandbox' as const, seed: 3, mailboxes: 12, messagesPerMailbox: 6, domain: 'old.example', latencyMs: 15, failureRate: 0.2 };
const destination = { platform: 'sandbox' as const, seed: 3, mailboxes: 9, messagesPerMailbox: 2, domain: 'new.example' };

describe.each(storeTargets())('engine scan and match on $name', (target) => {
  let engine: Engine;
  let cleanup: () => Promise<void>;
  const events: EngineEvent[] = [];
  let firstRun: RunDetail;

  beforeAll(async () => {
    const prepared = await prepareTarget(target);
    cleanup = prepared.cleanup;
    engine = await createEngine(testEngineOptions({ databaseUrl: prepared.databaseUrl, dataDir: prepared.dataDir }));
    await engine.onEvent((e) => events.push(e));
    await engine.startWorkers();
    await engine.createProject(admin, { name: 'move', sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey: 'teams:19:chan' });
  });
  afterAll(async () => {
    await engine?.close();
    await cleanup?.();
  });

  it('refuses to scan before both sides are connected', async () => {
    await expect(engine.startScan(admin, { project: 'move' })).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await expect(engine.getMatchReview(admin, { project: 'move' })).rejects.toMatchObject({ code: 'NOT_SCANNED' });
  });

  it('scans both sides through BullMQ and finds exactly what the sandbox holds', async () => {
    await engine.saveConnection(admin, { project: 'move', side: 'source', settings: source });
    await engine.saveConnection(admin, { project: 'move', side: 'destination', settings: destination });
    const run = await engine.startScan(admin, { project: 'move' });
    expect(run).toMatchObject({ mode: 'scan', status: 'queued', projectName: 'move', channelKey: 'teams:19:chan' });
    const second = await engine.startScan(admin, { project: 'move' }).catch((e: unknown) => e);
    expect(second).toMatchObject({ code: 'CONFLICT', userMessage: expect.stringContaining(run.id), details: { runId: run.id } });

    firstRun = await waitForRun(engine, run.id);
    expect(firstRun.status).toBe('completed');
    const failing = sandboxMailboxes(source).filter((m) => sandboxWillFail(source, m.address, 'stats'));
    expect(failing.length).toBeGreaterThan(0);
    const truth = (shape: typeof source | typeof destination, skip: string[]) => sandboxMailboxes(shape).map((m, i) => ({ m, s: sandboxStats(shape, i + 1) }))
      .filter(({ m }) => !skip.includes(m.address)).reduce((t, { s }) => ({ mail: t.mail + s.mail, bytes: t.bytes + s.bytes, events: t.events + s.events, contacts: t.contacts + s.contacts }), { mail: 0, bytes: 0, events: 0, contacts: 0 });
    const srcTruth = truth(source, failing.map((m) => m.address));
    expect(firstRun.summary?.source).toMatchObject({ mailboxes: 12, ...srcTruth });
    expect(firstRun.summary?.destination).toMatchObject({ mailboxes: 9, ...truth(destination, []) });
    expect(firstRun.summary?.failed).toBe(failing.length);
    expect(firstRun.summary?.predictedFullRunSeconds).toBeGreaterThanOrEqual(0);
    expect(firstRun.progress).toMatchObject({ mailboxesTotal: 21, mailboxesDone: 21 - failing.length, mailboxesFailed: failing.length });
    const failedRows = firstRun.mailboxRuns.filter((r) => r.status === 'failed');
    expect(failedRows.map((r) => r.mailbox.address).sort()).toEqual(failing.map((m) => m.address).sort());
    expect(failedRows[0]?.mailbox.scanError).toContain('on purpose');

    const deadline = Date.now() + 3000;
    while (!events.some((e) => e.type === 'run.finished' && e.runId === run.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(events.filter((e) => e.runId === run.id).map((e) => e.type)).toEqual(expect.arrayContaining(['run.progress', 'run.finished']));
    expect(events.find((e) => e.runId === run.id)).toMatchObject({ projectId: run.projectId, channelKey: 'teams:19:chan' });
    expect((await engine.getProject(admin, 'move')).stage).toBe('ready_to_match');
  });

  let rows: MappingInfo[];
  const row = (address: string) => rows.find((r) => r.source.address === address) as MappingInfo;

  it('suggests matches: same name on the other domain matched, missing ones for review', async () => {
    const review = await engine.getMatchReview(admin, { project: 'move', filter: 'all' });
    expect(review.counts).toEqual({ matched: 9, needs_review: 3, excluded: 0, create_missing: 0, total: 12 });
    rows = review.rows;
    expect(row('user4@old.example')).toMatchObject({ status: 'matched', confidence: 0.9, destinationAddress: 'user4@new.example' });
    expect(row('user10@old.example')).toMatchObject({ status: 'needs_review', reason: 'no destination mailbox', destinationAddress: 'user10@new.example', destination: null });
    expect(row('user10@old.example').candidates).toHaveLength(9);
    const open = await engine.getMatchReview(admin, { project: 'move' });
    expect(open.rows.map((r) => r.source.address)).toEqual(['user10@old.example', 'user11@old.example', 'user12@old.example']);
    const page2 = await engine.getMatchReview(admin, { project: 'move', filter: 'all', pageSize: 5, page: 2 });
    expect(page2).toMatchObject({ page: 2, total: 12 });
    expect(page2.rows).toHaveLength(5);
  });

  it('applies overrides, exclusions and create-missing, and keeps them through a rescan', async () => {
    const overridden = await engine.updateMapping(admin, { project: 'move', mappingId: row('user10@old.example').id, change: { type: 'override', destinationAddress: 'USER1@new.example' } });
    expect(overridden).toMatchObject({ status: 'matched', confidence: 1, changedBy: 'U_ADMIN', destinationAddress: 'user1@new.example' });
    await engine.updateMapping(admin, { project: 'move', mappingId: row('user11@old.example').id, change: { type: 'exclude' } });
    const created = await engine.updateMapping(admin, { project: 'move', mappingId: row('user12@old.example').id, change: { type: 'create_missing' } });
    expect(created).toMatchObject({ status: 'create_missing', destinationAddress: 'user12@new.example' });
    await expect(engine.updateMapping(admin, { project: 'move', mappingId: row('user12@old.example').id, change: { type: 'create_missing', destinationAddress: 'not an address' } }))
      .rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(engine.updateMapping(admin, { project: 'move', mappingId: row('user4@old.example').id, change: { type: 'override', destinationAddress: 'ghost@new.example' } }))
      .rejects.toMatchObject({ code: 'BAD_INPUT', userMessage: expect.stringContaining('ghost@new.example') });

    const rescan = await engine.startScan(admin, { project: 'move' });
    expect((await waitForRun(engine, rescan.id)).status).toBe('completed');
    const after = await engine.getMatchReview(admin, { project: 'move', filter: 'all' });
    expect(after.counts).toEqual({ matched: 10, needs_review: 0, excluded: 1, create_missing: 1, total: 12 });
    rows = after.rows;
    expect(row('user10@old.example')).toMatchObject({ status: 'matched', destinationAddress: 'user1@new.example', changedBy: 'U_ADMIN' });
    expect((await engine.getProject(admin, 'move')).stage).toBe('ready_to_launch');

    const included = await engine.updateMapping(admin, { project: 'move', mappingId: row('user11@old.example').id, change: { type: 'include' } });
    expect(included).toMatchObject({ status: 'needs_review', changedBy: 'auto', reason: 'no destination mailbox' });
  });

  it('exports CSV and imports it back; a bad CSV changes nothing', async () => {
    const csv = await engine.exportMappingCsv(admin, { project: 'move' });
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('source_address,destination_address,status,confidence,reason');
    expect(lines).toHaveLength(13);
    expect(lines).toContain('user12@old.example,user12@new.example,create_missing,1,to be created');
    await expect(engine.importMappingCsv(admin, { project: 'move', csv })).resolves.toEqual({ applied: 0, unchanged: 12 });

    const edited = csv.replace('user11@old.example,user11@new.example,needs_review,0,no destination mailbox', 'user11@old.example,,excluded,1,"not needed, left the company"');
    await expect(engine.importMappingCsv(admin, { project: 'move', csv: edited })).resolves.toEqual({ applied: 1, unchanged: 11 });
    rows = (await engine.getMatchReview(admin, { project: 'move', filter: 'all' })).rows;
    expect(row('user11@old.example').status).toBe('excluded');

    const bad = [
      'source_address,destination_address,status',
      'user4@old.example,user5@new.example,matched',
      'nobody@old.example,user1@new.example,matched',
      'user5@old.example,ghost@new.example,matched',
      'user6@old.example,,sideways',
    ].join('\n');
    const error = await engine.importMappingCsv(admin, { project: 'move', csv: bad }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_INPUT', details: { errors: [expect.objectContaining({ line: 3 }), expect.objectContaining({ line: 4 }), expect.objectContaining({ line: 5 })] } });
    expect((error as Error).message).toContain('line 3');
    rows = (await engine.getMatchReview(admin, { project: 'move', filter: 'all' })).rows;
    expect(row('user4@old.example').destinationAddress).toBe('user4@new.example');
  });

  it('creates the demo project once, with a destination missing some mailboxes', async () => {
    const demo = await engine.ensureDemoProject('local', 'teams:demo');
    expect(demo).toMatchObject({ name: 'demo', stage: 'ready_to_scan' });
    expect(demo?.connections).toHaveLength(2);
    const again = await engine.ensureDemoProject('local', 'teams:demo');
    expect(again?.id).toBe(demo?.id);
  });
});
