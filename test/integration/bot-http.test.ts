import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

describe('HTTP health, readiness and metrics', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers /healthz', async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('is ready when the database and Redis answer', async () => {
    const res = await fetch(`${app.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, database: true, redis: true });
  });

  it('exposes process metrics and the chat command counter', async () => {
    const res = await fetch(`${app.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('# TYPE chat_commands_total counter');
  });
});

describe('readiness without Redis', () => {
  let app: TestApp | undefined;
  let consoleError: MockInstance<typeof console.error>;
  beforeAll(async () => {
    // ioredis reports an 'error' on a client without a listener as "[ioredis] Unhandled error event" on console.error.
    consoleError = vi.spyOn(console, 'error');
    // Nothing listens on port 1: the engine must come up, but /readyz must say it is not ready.
    app = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1', ROLE: 'web' });
  });
  afterAll(async () => {
    await app?.close();
    consoleError.mockRestore();
  });

  it('answers 503 fast with what is missing, and the database is still up', async () => {
    const started = Date.now();
    const res = await fetch(`${app!.url}/readyz`);
    expect(res.status).toBe(503);
    // Only Redis is down: the database probe must not be dragged down with it (the route gives up at 3 s).
    expect(await res.json()).toMatchObject({ ok: false, redis: false, database: true });
    expect(Date.now() - started).toBeLessThan(2_900);
  });

  it('closes within seconds and never logs an unhandled Redis error', async () => {
    const started = Date.now();
    const closing = app!;
    app = undefined;
    await closing.close();
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(consoleError.mock.calls.filter((args) => String(args[0]).includes('Unhandled error event'))).toEqual([]);
  });
});
