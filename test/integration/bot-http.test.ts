import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  let app: TestApp;
  beforeAll(async () => {
    // Nothing listens on port 1: the engine must come up, but /readyz must say it is not ready.
    app = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1', ROLE: 'web' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers 503 with what is missing', async () => {
    const res = await fetch(`${app.url}/readyz`);
    expect(res.status).toBe(503);
    // The database may be reported down too when the engine's probe waits on Redis; Redis must be.
    expect(await res.json()).toMatchObject({ ok: false, redis: false });
  });
});
