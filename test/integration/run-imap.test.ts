/**
 * IMAP → IMAP on two real Dovecot servers: structure, full (with a connection lost right after a
 * write), delta and retry. Checked by the independent client of test/helpers/dovecot.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { createConnector } from '../../src/engine/connectors/index.js';
import type { ConnectionSettings, Connector } from '../../src/engine/connectors/types.js';
import { createEngine, type Actor, type Engine } from '../../src/engine/index.js';
import { corpusMessages } from '../helpers/corpus.js';
import { appendMessages, readMailbox, startDovecot, withClient, type DovecotServer } from '../helpers/dovecot.js';
import { testEngineOptions } from '../helpers/store.js';
import { waitForRun } from '../helpers/sandbox-project.js';

const admin: Actor = { orgId: 'slack:T5', userId: 'U1', userName: 'Ada', platformAdmin: true };
const PASSWORD = 'pw-imap-run';
const names = ['ann', 'ben', 'cy'];

/** Where each user's corpus slice goes: [folder, count, flags, internal date]. */
const layout: [string, number, string[], Date][] = [
  ['INBOX', 40, ['\\Seen'], new Date('2019-03-04T05:06:07Z')],
  ['INBOX', 20, ['$Label1', '\\Flagged'], new Date('2020-01-02T03:04:05Z')],
  ['Projects/Été 2024', 25, [], new Date('2021-06-07T08:09:10Z')],
  ['Projects/Été 2024/Заметки', 15, ['\\Seen', '$Label1'], new Date('2022-11-12T13:14:15Z')],
];

/** Every message of every folder of a user, as "path → sorted hash|flags|date" (the multiset compares exactly-once). */
async function snapshot(server: DovecotServer, address: string): Promise<Record<string, string[]>> {
  const folders = await readMailbox(server, { address, password: PASSWORD });
  // Empty folders are left out: the destination keeps the parents it had to create ("Projects") as real folders.
  return Object.fromEntries(folders.filter((f) => f.messages.length > 0).map((f) => [f.path, f.messages.map((m) => `${m.sha256}|${m.flags.join(' ')}|${m.internalDate.toISOString()}`).sort()]));
}

describe('IMAP → IMAP copy runs', () => {
  let source: DovecotServer;
  let destination: DovecotServer;
  let engine: Engine;
  const calls = { reads: 0, writes: 0 };
  let crashAfterWrite = 0;
  const rejected = new Set<string>();

  /** Counts source reads and can lose the connection right after a write or reject chosen messages. */
  const wrap = (connector: Connector, side: 'source' | 'destination'): Connector => ({
    ...connector,
    capabilities: connector.capabilities, limits: connector.limits, platform: connector.platform,
    readItem: async (...args) => { if (side === 'source') calls.reads++; return connector.readItem(...args); },
    // A batch read fetches every body it is asked for: each key counts as one read.
    readItems: async (mailbox, folder, keys, signal) => { if (side === 'source') calls.reads += keys.length; return connector.readItems!(mailbox, folder, keys, signal); },
    writeItem: async (mailbox, folder, item, signal) => {
      if (item.messageId && rejected.has(item.messageId)) throw new AppError('BAD_INPUT', 'the destination rejected the message (test)');
      const written = await connector.writeItem(mailbox, folder, item, signal);
      calls.writes++;
      if (crashAfterWrite > 0 && --crashAfterWrite === 0) throw new AppError('CONNECTION_FAILED', 'connection lost after the write (test)', { retryable: true });
      return written;
    },
  });

  beforeAll(async () => {
    [source, destination] = await Promise.all([
      startDovecot({ users: [...names, 'gus'].map((n) => ({ address: `${n}@old.example`, password: PASSWORD })) }),
      startDovecot({ users: names.map((n) => ({ address: `${n}@new.example`, password: PASSWORD })) }),
    ]);
    let offset = 0;
    for (const name of names) {
      for (const [folder, count, flags, date] of layout) {
        await appendMessages(source, { address: `${name}@old.example`, password: PASSWORD }, folder, corpusMessages(count, offset), flags, date);
        offset += count;
      }
    }
    // gus has no destination mailbox, and IMAP cannot create one.
    await appendMessages(source, { address: 'gus@old.example', password: PASSWORD }, 'INBOX', corpusMessages(5, 900));
    engine = await createEngine(testEngineOptions({
      connect: async (settings: ConnectionSettings) => {
        const side = settings.platform === 'imap' && settings.port === source.port ? 'source' : 'destination';
        return wrap(await createConnector(settings), side);
      },
    }));
    await engine.startWorkers();
    await engine.createProject(admin, { name: 'imap', sourcePlatform: 'imap', destinationPlatform: 'imap', channelKey: 'slack:T5:C1' });
    // Full runs cost credits (DESIGN §5); U2 approves the holds.
    await engine.grantCredits(admin, { amount: 20, reason: 'test credits' });
    await engine.grantRole(admin, { userId: 'U2', role: 'approver' });
    const settings = (server: DovecotServer) => ({ platform: 'imap' as const, host: server.host, port: server.port, tls: false, mailboxes: server.users.map((u) => ({ address: u.address, password: PASSWORD })) });
    await engine.saveConnection(admin, { project: 'imap', side: 'source', settings: settings(source) });
    await engine.saveConnection(admin, { project: 'imap', side: 'destination', settings: settings(destination) });
    const scan = await engine.startScan(admin, { project: 'imap' });
    expect((await waitForRun(engine, scan.id)).status).toBe('completed');
    const review = await engine.getMatchReview(admin, { project: 'imap', filter: 'all' });
    for (const row of review.rows) {
      const change = row.source.address.startsWith('gus')
        ? { type: 'create_missing' as const, destinationAddress: 'gus@new.example' }
        : { type: 'override' as const, destinationAddress: row.source.address.replace('old', 'new') };
      await engine.updateMapping(admin, { project: 'imap', mappingId: row.id, change });
    }
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
    await Promise.all([source?.stop(), destination?.stop()]);
  });

  const expectIdentical = async () => {
    for (const name of names) expect(await snapshot(destination, `${name}@new.example`)).toEqual(await snapshot(source, `${name}@old.example`));
  };

  it('structure creates the folder tree and copies no message', async () => {
    const run = await engine.launchRun(admin, { project: 'imap', mode: 'structure' });
    const done = await waitForRun(engine, run.id);
    expect(done.status).toBe('completed');
    expect(done.mailboxRuns.find((m) => m.mailbox.address === 'gus@old.example')).toMatchObject({
      status: 'failed', health: 'failed', error: 'destination mailbox gus@new.example does not exist; create it and run retry',
    });
    expect(calls.reads).toBe(0);
    const folders = await readMailbox(destination, { address: 'ann@new.example', password: PASSWORD });
    expect(folders.map((f) => f.path)).toEqual(expect.arrayContaining(['INBOX', 'Projects', 'Projects/Été 2024', 'Projects/Été 2024/Заметки']));
    expect(folders.every((f) => f.messages.length === 0)).toBe(true);
    const log = await engine.mailboxLog(admin, { address: 'ann@old.example', pageSize: 50 });
    expect(log.entries.map((e) => e.message)).toContain('Folder "Projects/Été 2024/Заметки" created');
  });

  it('full copies every message exactly once with identical bytes, flags and internal date, despite a connection lost after a write', async () => {
    crashAfterWrite = 37;
    const run = await engine.launchRun(admin, { project: 'imap', mode: 'full' });
    await engine.decideHold({ ...admin, userId: 'U2', userName: 'Apu', platformAdmin: false }, { holdId: run.hold!.id, decision: 'approve' });
    const done = await waitForRun(engine, run.id);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ itemsDone: 300, itemsFailed: 0, mailboxesDone: 3, mailboxesFailed: 1 });
    // One write was repeated by nobody: the retried attempt probed the destination and found it.
    expect(calls.writes).toBe(300);
    await expectIdentical();
    // gus's 5 messages are missing, and the verification says so.
    const verification = await engine.getVerification(admin, { project: 'imap' });
    expect(verification).toMatchObject({ missingTotal: 5, consistencyPercent: Math.round((300 / 305) * 10_000) / 100 });
    expect(verification?.mailboxes.find((m) => m.sourceAddress === 'gus@old.example')).toMatchObject({ missing: 5, folders: [{ path: 'INBOX', source: 5, destination: 0, ledger: 0, missing: 5 }] });
    expect(verification?.mailboxes.find((m) => m.sourceAddress === 'ann@old.example')?.folders.find((f) => f.path === 'Projects/Été 2024/Заметки'))
      .toEqual({ path: 'Projects/Été 2024/Заметки', source: 15, destination: 15, ledger: 15, missing: 0 });
    const gus = (await engine.getMatchReview(admin, { project: 'imap', filter: 'all' })).rows.find((r) => r.source.address === 'gus@old.example')!;
    await engine.updateMapping(admin, { project: 'imap', mappingId: gus.id, change: { type: 'exclude' } });
    const log = await engine.mailboxLog(admin, { address: 'ann@old.example', pageSize: 100 });
    const interrupted = (await Promise.all(names.map((n) => engine.mailboxLog(admin, { address: `${n}@old.example`, pageSize: 100 }))))
      .flatMap((l) => l.entries.map((e) => e.message)).filter((m) => m.startsWith('Interrupted'));
    expect(interrupted).toHaveLength(1);
    expect(log.mailbox).toMatchObject({ status: 'completed', itemsDone: 100, health: 'healthy' });
  });

  it('delta moves only new messages and flag changes (bodies fetched = new messages); a rejected item fails alone', async () => {
    const fresh = corpusMessages(20, 400);
    await appendMessages(source, { address: 'ann@old.example', password: PASSWORD }, 'INBOX', fresh.slice(0, 10), ['\\Seen']);
    await appendMessages(source, { address: 'ben@old.example', password: PASSWORD }, 'Nouveau/Sous-dossier', fresh.slice(10), []);
    await withClient(source, { address: 'cy@old.example', password: PASSWORD }, async (client) => {
      await client.mailboxOpen('INBOX');
      await client.messageFlagsAdd('1:10', ['$Label2', '\\Answered']);
    });
    const messageId = (raw: Buffer) => /^message-id:\s*(<[^>]+>)/im.exec(raw.toString('latin1'))?.[1];
    for (const raw of fresh.slice(15, 18)) rejected.add(messageId(raw)!);
    expect(rejected.size).toBe(3);
    const before = calls.reads;
    const run = await engine.launchRun(admin, { project: 'imap', mode: 'delta' });
    const done = await waitForRun(engine, run.id);
    expect(calls.reads - before).toBe(20);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ itemsDone: 17, itemsFailed: 3 });
    const ben = await engine.mailboxStatus(admin, { address: 'ben@new.example' });
    expect(ben).toMatchObject({ itemsFailed: 3, health: 'degraded' });
    const verification = await engine.getVerification(admin, { project: 'imap' });
    expect(verification).toMatchObject({ missingTotal: 3, failedItems: 3 });
    expect(verification?.consistencyPercent).toBeLessThan(100);
    const cy = await snapshot(destination, 'cy@new.example');
    expect(cy).toEqual(await snapshot(source, 'cy@old.example'));
  });

  it('retry re-attempts only the failed items', async () => {
    rejected.clear();
    const before = calls.reads;
    const run = await engine.launchRun(admin, { project: 'imap', mode: 'retry' });
    const done = await waitForRun(engine, run.id);
    expect(done.status).toBe('completed');
    expect(calls.reads - before).toBe(3);
    expect(done.progress).toMatchObject({ mailboxesTotal: 1, itemsDone: 3, itemsFailed: 0 });
    await expectIdentical();
    expect(await engine.getVerification(admin, { project: 'imap' })).toMatchObject({ consistencyPercent: 100, missingTotal: 0, failedItems: 0 });
    await expect(engine.launchRun(admin, { project: 'imap', mode: 'retry' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});
