import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { AppError } from '../errors.js';
import { createEngine, resolveSecretKey, type Actor, type Engine, type EngineOptions } from '../engine/index.js';
import type { Env } from '../env.js';

/** The engine as the CLI opens it, and who the CLI acts as. */
export interface CliSession {
  engine: Engine;
  env: Env;
  /** `cli:<os user>`, an admin of the org. */
  actor(orgId: string): Actor;
  /** Fails with one sentence when Redis does not answer (scans and runs need it). */
  requireRedis(): Promise<void>;
  close(): Promise<void>;
}

export const OPERATOR_ID = `cli:${userInfo().username}`;

/** Warnings and errors go to stderr (stdout stays clean for --json); silent unless LOG_LEVEL asks for them. */
function stderrLog(env: Env): NonNullable<EngineOptions['log']> {
  const verbose = Boolean(process.env.LOG_LEVEL) && ['debug', 'trace', 'info', 'warn', 'error'].includes(env.LOG_LEVEL);
  const write = (level: string) => (obj: unknown, msg?: string) => {
    if (verbose) process.stderr.write(`[${level}] ${msg ?? ''} ${JSON.stringify(obj)}\n`);
  };
  return { info: env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'info' ? write('info') : () => {}, warn: write('warn'), error: write('error') };
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

export async function openSession(env: Env): Promise<CliSession> {
  const local = !env.DATABASE_URL;
  // Same key rules as the server (src/main.ts): the CLI must decrypt what the server saved, and vice versa.
  const secretKey = !env.MAILFERRY_SECRET_KEY && local && env.MAILFERRY_DATA_DIR.startsWith('memory://')
    ? randomBytes(32).toString('base64')
    : resolveSecretKey({ configured: env.MAILFERRY_SECRET_KEY, dataDir: env.MAILFERRY_DATA_DIR, local });
  const engine = await createEngine({
    databaseUrl: env.DATABASE_URL, dataDir: env.MAILFERRY_DATA_DIR, redisUrl: env.REDIS_URL,
    queuePrefix: env.MAILFERRY_QUEUE_PREFIX, secretKey, admins: env.admins, log: stderrLog(env),
  });
  return {
    engine,
    env,
    actor: (orgId) => ({ orgId, orgName: orgId, userId: OPERATOR_ID, userName: OPERATOR_ID, platformAdmin: true }),
    async requireRedis() {
      const ready = await within(engine.ready(), 3000);
      if (!ready?.redis) throw new AppError('CONFIG', `Redis does not answer at ${env.REDIS_URL}; start it (for example \`redis-server\`) or set REDIS_URL.`);
    },
    // With Redis gone, closing its connections can wait forever: a CLI must still exit.
    close: async () => { await within(engine.close(), 10_000); },
  };
}
