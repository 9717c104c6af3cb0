import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { EngineOptions } from '../../src/engine/index.js';

export interface StoreTarget {
  name: 'pglite' | 'postgres';
  databaseUrl?: string;
  dataDir: string;
}

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs store tests on both stores. The postgres target needs createDatabase() before use. */
export function storeTargets(): StoreTarget[] {
  return [{ name: 'pglite', dataDir: 'memory://' }, { name: 'postgres', dataDir: 'memory://' }];
}

/** A fresh database `mf_<random>`; returns its URL and a cleanup that drops it. */
export async function createDatabase(): Promise<{ databaseUrl: string; drop: () => Promise<void> }> {
  const name = `mf_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return {
    databaseUrl: `postgres://postgres@127.0.0.1:5432/${name}`,
    drop: async () => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      // A pool's end() resolves before its sockets have closed: give them a moment, so that the forced
      // drop does not terminate a session some client still listens to (an uncaught 57P01 there).
      for (let i = 0; i < 40; i++) {
        const { rows } = await client.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
        if (rows[0].n === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** A target ready to open: the postgres one gets its own fresh database. */
export async function prepareTarget(target: StoreTarget): Promise<{ databaseUrl?: string; dataDir: string; cleanup: () => Promise<void> }> {
  if (target.name === 'pglite') return { dataDir: target.dataDir, cleanup: async () => {} };
  const db = await createDatabase();
  return { databaseUrl: db.databaseUrl, dataDir: target.dataDir, cleanup: db.drop };
}

const quiet = { info() {}, warn() {}, error() {} };

/** Options with a unique queue prefix (shared Redis), a random key and a silent log. */
export function testEngineOptions(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return {
    dataDir: 'memory://',
    redisUrl: 'redis://127.0.0.1:6379',
    queuePrefix: `mftest-${randomBytes(5).toString('hex')}`,
    secretKey: randomBytes(32).toString('base64'),
    admins: [],
    log: quiet,
    ...overrides,
  };
}
