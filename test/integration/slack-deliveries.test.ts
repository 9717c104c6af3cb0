/**
 * The Slack event-id ledger on the real Redis: an event id is claimed once per workspace and prefix,
 * and with Redis unreachable a claim gives up quickly and lets the event run rather than lose it.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSlackDeliveries } from '../../src/bot/slack/slack-deliveries.js';
import { createLogger } from '../../src/log.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = createLogger('silent');

describe('Slack delivery ledger', () => {
  it('claims an event id once per workspace and queue prefix', async () => {
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const deliveries = createSlackDeliveries({ redisUrl: REDIS_URL, prefix, log });
    const other = createSlackDeliveries({ redisUrl: REDIS_URL, prefix: `${prefix}-other`, log });
    try {
      expect(await deliveries.claim('T1', 'Ev1')).toBe(true);
      expect(await deliveries.claim('T1', 'Ev1')).toBe(false);
      expect(await deliveries.claim('T2', 'Ev1')).toBe(true);
      expect(await other.claim('T1', 'Ev1')).toBe(true);
      // Two replicas racing on one delivery: exactly one wins.
      const raced = await Promise.all([deliveries.claim('T1', 'Ev2'), deliveries.claim('T1', 'Ev2')]);
      expect(raced.sort()).toEqual([false, true]);
    } finally {
      await deliveries.close();
      await other.close();
    }
  });

  it('lets the event run when Redis does not answer, within about a second', async () => {
    const deliveries = createSlackDeliveries({ redisUrl: 'redis://127.0.0.1:1', prefix: 'unreachable', log });
    try {
      const started = Date.now();
      expect(await deliveries.claim('T1', 'Ev1')).toBe(true);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await deliveries.close();
    }
  });
});
