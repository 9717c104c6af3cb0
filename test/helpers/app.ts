import { randomBytes, randomUUID } from 'node:crypto';
import { parseEnv } from '../../src/env.js';
import { createLogger } from '../../src/log.js';
import { startApp, type RunningApp } from '../../src/main.js';

export type TestApp = Pick<RunningApp, 'url' | 'port' | 'engine' | 'close'>;

/**
 * Boots the real app (HTTP, chat adapters, engine, workers, notifier) on a random loopback port
 * with an in-memory PGlite store and its own queue prefix, so test files never share state.
 * Pass DATABASE_URL to run on PostgreSQL; any other variable overrides the defaults.
 */
export async function startTestApp(overrides: Partial<Record<string, string>> = {}): Promise<TestApp> {
  const defined = Object.fromEntries(Object.entries(overrides).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const env = parseEnv({
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    PORT: '0',
    HOST: '127.0.0.1',
    MAILFERRY_DATA_DIR: 'memory://',
    MAILFERRY_QUEUE_PREFIX: `test-${randomUUID().slice(0, 8)}`,
    MAILFERRY_DEMO: 'off',
    MAILFERRY_SECRET_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    ...defined,
  });
  const app = await startApp(env, { log: createLogger(env.LOG_LEVEL) });
  return { url: app.url, port: app.port, engine: app.engine, close: app.close };
}
