import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/index.js';
import { createDatabase, testEngineOptions } from '../helpers/store.js';

const exec = promisify(execFile);

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const tsx = path.resolve('node_modules/.bin/tsx');
  try {
    const { stdout, stderr } = await exec(tsx, ['src/cli/main.ts', ...args], { env: { ...process.env, DATABASE_URL: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('operator CLI', () => {
  let db: { databaseUrl: string; drop: () => Promise<void> };

  beforeAll(async () => {
    db = await createDatabase();
    const engine = await createEngine(testEngineOptions({ databaseUrl: db.databaseUrl }));
    await engine.ensureDemoProject('local', 'cli');
    await engine.close();
  });
  afterAll(async () => db?.drop());

  it('lists orgs and projects, and grants and removes roles', async () => {
    const env = { DATABASE_URL: db.databaseUrl };
    const orgs = await cli(['orgs', 'list', '--json'], env);
    expect(orgs.code).toBe(0);
    expect(JSON.parse(orgs.stdout)).toEqual([expect.objectContaining({ id: 'local', projects: 1 })]);
    const added = await cli(['roles', 'add', '--org', 'local', '--user', 'U42', '--role', 'approver'], env);
    expect(added.stdout).toMatch(/U42\s+approver\s+cli:/);
    const projects = await cli(['projects', 'list', '--org', 'local'], env);
    expect(projects.stdout).toMatch(/demo\s+prj_\w+\s+sandbox → sandbox\s+ready_to_scan/);
    const removed = await cli(['roles', 'remove', '--org', 'local', '--user', 'U42', '--role', 'approver', '--json'], env);
    expect(JSON.parse(removed.stdout)).toEqual([]);
  });

  it('fails with one sentence and exit code 1', async () => {
    const bad = await cli(['roles', 'add', '--org', 'local', '--user', 'U1', '--role', 'boss'], { DATABASE_URL: db.databaseUrl });
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr.trim()).toBe('"boss" is not a role; roles are admin, approver, helpdesk.');
  });

  it('explains a PGlite directory locked by a running server', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mf-cli-'));
    // The lock a running server holds (this test process plays the server: a live pid).
    writeFileSync(path.join(dataDir, 'mailferry.lock'), String(process.pid));
    const locked = await cli(['orgs', 'list'], { MAILFERRY_DATA_DIR: dataDir });
    expect(locked.code).toBe(1);
    expect(locked.stderr.trim()).toBe(`The data directory ${dataDir} is in use by another mailferry process (pid ${process.pid}); stop it, or set DATABASE_URL to a PostgreSQL server so that several processes can share the data.`);
  });
});
