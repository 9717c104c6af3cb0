import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxStats } from '../../src/engine/connectors/sandbox/sandbox-tenant.js';
import { createEngine, type Actor, type Engine } from '../../src/engine/index.js';
import { testEngineOptions } from '../helpers/store.js';

const admin: Actor = { orgId: 'local', userId: 'U1', userName: 'Op', platformAdmin: true };
const source = { platform: 'sandbox' as const, seed: 21, mailboxes: 6, messagesPerMailbox: 5, domain: 'a.example', throttleRate: 0.3 };

describe('run reconciler', () => {
  let engine: Engine;
  const options = testEngineOptions();

  beforeAll(async () => {
    engine = await createEngine(options);
    await engine.createProject(admin, { name: 'lost job', sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey: 'c' });
    await engine.saveConnection(admin, { project: 'lost job', side: 'source', settings: source });
    await engine.saveConnection(admin, { project: 'lost job', side: 'destination', settings: { ...source, throttleRate: 0, domain: 'b.example' } });
  });
  afterAll(async () => engine?.close());

  it('re-queues a queued run whose job vanished from Redis, and the scan survives throttling', async () => {
    const run = await engine.startScan(admin, { project: 'lost job' });
    const queue = new Queue('scan', { connection: { host: '127.0.0.1', port: 6379 }, prefix: options.queuePrefix });
    expect(await queue.getJob(`scan-${run.id}`)).toBeDefined();
    await queue.obliterate({ force: true });
    expect(await queue.getJob(`scan-${run.id}`)).toBeUndefined();
    await queue.close();

    await engine.startWorkers();
    const deadline = Date.now() + 20_000;
    let detail = await engine.getRun(run.id);
    while (detail.status !== 'completed' && detail.status !== 'failed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      detail = await engine.getRun(run.id);
    }
    expect(detail.status).toBe('completed');
    const mail = Array.from({ length: 6 }, (_, i) => sandboxStats(source, i + 1).mail).reduce((a, b) => a + b, 0);
    expect(detail.summary).toMatchObject({ failed: 0, source: { mailboxes: 6, mail } });
  });
});
