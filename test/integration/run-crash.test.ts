/**
 * Crash safety at process level: the worker (ROLE=worker, `node --import tsx src/main.ts`, shared
 * PostgreSQL) is SIGKILLed twice at random moments of an IMAP → IMAP run and restarted, and the
 * queue's Redis keys are flushed mid-run. The run completes with 0 lost and 0 duplicated messages,
 * by the independent client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Actor, type Engine, type RunDetail } from '../../src/engine/index.js';
import { corpusMessages } from '../helpers/corpus.js';
import { appendMessages, readMailbox, startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { createDatabase, testEngineOptions } from '../helpers/store.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const admin: Actor = { orgId: 'local', userId: 'cli:op', userName: 'op', platformAdmin: true };
const PASSWORD = 'pw-crash';
const names = ['dee', 'eli', 'fay'];
const PER_USER = 250;

async function snapshot(server: DovecotServer, address: string): Promise<Record<string, string[]>> {
  const folders = await readMailbox(server, { address, password: PASSWORD });
  return Object.fromEntries(folders.filter((f) => f.messages.length > 0)
    .map((f) => [f.path, f.messages.map((m) => `${m.sha256}|${m.flags.join(' ')}|${m.internalDate.toISOString()}`).sort()]));
}

describe('a copy run survives SIGKILLed workers and a Redis flush', () => {
  let source: DovecotServer;
  let destination: DovecotServer;
  let db: { databaseUrl: string; drop: () => Promise<void> };
  let engine: Engine;
  let child: ChildProcess | null = null;
  let redis: Redis;
  const options = testEngineOptions();

  const startWorker = () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ROLE: 'worker', PORT: '0', LOG_LEVEL: 'error', DATABASE_URL: db.databaseUrl, REDIS_URL: options.redisUrl,
        MAILFERRY_QUEUE_PREFIX: options.queuePrefix, MAILFERRY_SECRET_KEY: options.secretKey, MAILFERRY_DEMO: 'off', MAILFERRY_DATA_DIR: 'memory://' },
    });
  };
  const killWorker = async () => {
    const dying = child;
    if (!dying || dying.exitCode !== null) return;
    const exited = new Promise((r) => dying.once('exit', r));
    dying.kill('SIGKILL');
    await exited;
  };
  const poll = async (runId: string, until: (run: RunDetail) => boolean, ms: number): Promise<RunDetail> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const run = await engine.getRun(runId);
      if (until(run)) return run;
      if (Date.now() > deadline) throw new Error(`run ${runId}: ${run.status} ${JSON.stringify(run.progress)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    [source, destination, db] = await Promise.all([
      startDovecot({ users: names.map((n) => ({ address: `${n}@old.example`, password: PASSWORD })) }),
      startDovecot({ users: names.map((n) => ({ address: `${n}@new.example`, password: PASSWORD })) }),
      createDatabase(),
    ]);
    for (const [i, name] of names.entries()) {
      const user = { address: `${name}@old.example`, password: PASSWORD };
      const mail = corpusMessages(PER_USER, 1000 + i * PER_USER);
      await appendMessages(source, user, 'INBOX', mail.slice(0, 150), ['\\Seen'], new Date('2018-02-03T04:05:06Z'));
      await appendMessages(source, user, 'Archiv/Übersicht', mail.slice(150), ['$Label3'], new Date('2017-05-06T07:08:09Z'));
    }
    redis = new Redis(options.redisUrl);
    engine = await createEngine({ ...options, databaseUrl: db.databaseUrl });
    startWorker();
    await engine.createProject(admin, { name: 'crash', sourcePlatform: 'imap', destinationPlatform: 'imap', channelKey: 'cli' });
    const settings = (server: DovecotServer) => ({ platform: 'imap' as const, host: server.host, port: server.port, tls: false, mailboxes: server.users.map((u) => ({ address: u.address, password: PASSWORD })) });
    await engine.saveConnection(admin, { project: 'crash', side: 'source', settings: settings(source) });
    await engine.saveConnection(admin, { project: 'crash', side: 'destination', settings: settings(destination) });
    const scan = await engine.startScan(admin, { project: 'crash' });
    expect((await poll(scan.id, (r) => r.status !== 'queued' && r.status !== 'running', 30_000)).status).toBe('completed');
    const review = await engine.getMatchReview(admin, { project: 'crash', filter: 'all' });
    for (const row of review.rows) {
      await engine.updateMapping(admin, { project: 'crash', mappingId: row.id, change: { type: 'override', destinationAddress: row.source.address.replace('old', 'new') } });
    }
  }, 60_000);
  afterAll(async () => {
    await killWorker();
    await engine?.close();
    await redis?.quit();
    await Promise.all([source?.stop(), destination?.stop()]);
    await db?.drop();
  });

  it('completes with every message exactly once', async () => {
    const run = await engine.launchRun(admin, { project: 'crash', mode: 'full' });
    const total = names.length * PER_USER;
    const at = (share: number) => Math.floor(total * share * (0.5 + Math.random()));

    const killedAt: number[] = [];
    await poll(run.id, (r) => (r.progress.itemsDone ?? 0) >= at(0.15), 30_000);
    await killWorker();
    killedAt.push((await engine.getRun(run.id)).progress.itemsDone ?? 0);
    startWorker();
    // Redis loses the queue mid-run (FLUSHALL of this prefix): PostgreSQL's reconciler re-queues the mailboxes.
    const keys = await redis.keys(`${options.queuePrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);

    const seen = (await engine.getRun(run.id)).progress.itemsDone ?? 0;
    await poll(run.id, (r) => (r.progress.itemsDone ?? 0) >= Math.min(total - 50, seen + at(0.2)), 40_000);
    await killWorker();
    killedAt.push((await engine.getRun(run.id)).progress.itemsDone ?? 0);
    // Both kills hit a run in progress.
    expect(killedAt.every((n) => n > 0 && n < total)).toBe(true);
    startWorker();

    const done = await poll(run.id, (r) => r.status !== 'queued' && r.status !== 'running', 60_000);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ itemsDone: total, itemsFailed: 0 });
    for (const name of names) expect(await snapshot(destination, `${name}@new.example`)).toEqual(await snapshot(source, `${name}@old.example`));
    expect(await engine.getVerification(admin, { project: 'crash' })).toMatchObject({ consistencyPercent: 100, missingTotal: 0 });
    const logs = await Promise.all(names.map((n) => engine.mailboxLog(admin, { address: `${n}@old.example`, pageSize: 100 })));
    expect(logs.some((l) => l.entries.some((e) => e.message.startsWith('Started again')))).toBe(true);
  }, 120_000);
});
