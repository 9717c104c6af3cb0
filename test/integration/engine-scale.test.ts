import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Actor, type Engine } from '../../src/engine/index.js';
import { testEngineOptions } from '../helpers/store.js';

const admin: Actor = { orgId: 'local', userId: 'U1', userName: 'Op', platformAdmin: true };

describe('a 10,000-mailbox sandbox', () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await createEngine(testEngineOptions());
    await engine.startWorkers();
    await engine.createProject(admin, { name: 'big', sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey: 'c' });
    await engine.saveConnection(admin, { project: 'big', side: 'source', settings: { platform: 'sandbox', seed: 5, mailboxes: 10_000, messagesPerMailbox: 1, domain: 'old.example' } });
    await engine.saveConnection(admin, { project: 'big', side: 'destination', settings: { platform: 'sandbox', seed: 5, mailboxes: 9_990, messagesPerMailbox: 0, domain: 'new.example' } });
  });
  afterAll(async () => engine?.close());

  it('scans and matches, and the review pages', async () => {
    const t0 = Date.now();
    const run = await engine.startScan(admin, { project: 'big' });
    let detail = await engine.getRun(run.id);
    while (!['completed', 'failed'].includes(detail.status) && Date.now() - t0 < 100_000) {
      await new Promise((r) => setTimeout(r, 250));
      detail = await engine.getRun(run.id);
    }
    const scanned = Date.now() - t0;
    expect(detail.status).toBe('completed');
    expect(detail.progress).toMatchObject({ mailboxesTotal: 19_990, mailboxesDone: 19_990 });
    const review = await engine.getMatchReview(admin, { project: 'big' });
    expect(review.counts).toMatchObject({ matched: 9_990, needs_review: 10, total: 10_000 });
    expect(review.rows).toHaveLength(10);
    const all = await engine.getMatchReview(admin, { project: 'big', filter: 'all', page: 400 });
    expect(all.rows).toHaveLength(25);
    console.log(`scan ${scanned} ms, review ${Date.now() - t0 - scanned} ms`);
  }, 120_000);
});
