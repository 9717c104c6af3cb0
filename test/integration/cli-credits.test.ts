/**
 * The operator CLI's credits commands against PostgreSQL, as a script would use them: exit codes,
 * stdout (text, --json, CSV) and one sentence on stderr.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Actor, type Engine } from '../../src/engine/index.js';
import { createDatabase, testEngineOptions } from '../helpers/store.js';
import { waitForRun } from './credits-helpers.js';

const exec = promisify(execFile);
const operator: Actor = { orgId: 'local', userId: 'U1', userName: 'Ada', platformAdmin: true };

describe('operator CLI: credits', () => {
  let db: { databaseUrl: string; drop: () => Promise<void> };
  let engine: Engine;
  const prefix = `mftest-clicred-${randomBytes(4).toString('hex')}`;

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { ...process.env, DATABASE_URL: db.databaseUrl, MAILFERRY_QUEUE_PREFIX: prefix, MAILFERRY_SECRET_KEY: key, LOG_LEVEL: '' };
    try {
      const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, timeout: 50_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }
  const key = randomBytes(32).toString('base64');

  beforeAll(async () => {
    db = await createDatabase();
    engine = await createEngine(testEngineOptions({ databaseUrl: db.databaseUrl, queuePrefix: prefix, secretKey: key }));
    await engine.startWorkers();
    await engine.createProject(operator, { name: 'pay', sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey: 'cli' });
    await engine.saveConnection(operator, { project: 'pay', side: 'source', settings: { platform: 'sandbox', seed: 3, mailboxes: 2, messagesPerMailbox: 2, domain: 'old.example' } });
    await engine.saveConnection(operator, { project: 'pay', side: 'destination', settings: { platform: 'sandbox', seed: 4, mailboxes: 2, messagesPerMailbox: 0, domain: 'new.example' } });
    const scan = await engine.startScan(operator, { project: 'pay' });
    expect((await waitForRun(engine, scan.id)).status).toBe('completed');
    const review = await engine.getMatchReview(operator, { project: 'pay', filter: 'all' });
    for (const row of review.rows) await engine.updateMapping(operator, { project: 'pay', mappingId: row.id, change: { type: 'override', destinationAddress: row.source.address.replace('old.', 'new.') } });
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
    await db?.drop();
  });

  it('refuses a full run without credits (exit 1, the shortfall on stderr), then grants, launches and waits for an approver', async () => {
    const refused = await cli('project', 'launch', 'pay', '--mode', 'full');
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/A full run of pay needs 2 credits but only 0 are available \(short by 2\)\. Nothing was held or queued\./);

    const granted = await cli('credits', 'grant', '--org', 'local', '--amount', '10', '--reason', 'PO 4711, "rush"');
    expect(granted.code).toBe(0);
    expect(granted.stdout).toContain('Granted 10 credits to local.');

    const launched = await cli('project', 'launch', 'pay', '--mode', 'full');
    expect(launched.code).toBe(0);
    expect(launched.stdout).toMatch(/full run run_\w+ needs 2 credits: hold hold_\w+ waits for an approver in chat/);
    expect((await engine.latestRun(operator, { project: 'pay', mode: 'full' }))?.status).toBe('pending_approval');

    const shown = await cli('credits', 'show', '--org', 'local', '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({ balance: 10, available: 8, held: 2, consumed: 0, licenses: 0, pendingHolds: 1 });

    const csv = await cli('ledger', 'export', '--org', 'local', '--csv');
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('id,at,kind,amount,held_delta,balance_after,hold_id,run_id,project,actor,reason');
    expect(lines[1]).toMatch(/^\d+,[^,]+,grant,10,0,10,,,,cli:[^,]+,"PO 4711, ""rush"""$/);
    expect(lines[2]).toMatch(/^\d+,[^,]+,hold,0,2,10,hold_\w+,run_\w+,pay,cli:/);
    await engine.cancelRun(operator, { project: 'pay' });
  }, 60_000);

  it('a mistyped --org names the known orgs and creates nothing', async () => {
    const credits = await cli('credits', 'show', '--org', 'slack:TYPO');
    expect(credits).toMatchObject({ code: 1, stdout: '' });
    expect(credits.stderr).toMatch(/^There is no org named "slack:TYPO"\. Known orgs: local\./);
    const project = await cli('project', 'status', 'pay', '--org', 'teams:nope');
    expect(project.code).toBe(1);
    expect(project.stderr).toMatch(/^There is no org named "teams:nope"\. Known orgs: local\./);
    const client = new pg.Client({ connectionString: db.databaseUrl });
    await client.connect();
    const { rows } = await client.query('select id from orgs order by id');
    await client.end();
    expect(rows.map((r: { id: string }) => r.id)).toEqual(['local']);
  }, 60_000);

  it('checks grants and sets the policy', async () => {
    const zero = await cli('credits', 'grant', '--org', 'local', '--amount', '0', '--reason', 'x');
    expect(zero).toMatchObject({ code: 1 });
    expect(zero.stderr.trim()).toBe('The amount must be a whole number from 1 to 1,000,000, not "0".');
    const policy = await cli('credits', 'policy', '--org', 'local', '--self-approval', 'true', '--per-mailbox', '2', '--json');
    expect(policy.code).toBe(0);
    expect(JSON.parse(policy.stdout)).toMatchObject({ selfApproval: true, perMailbox: 2, publicFoldersCost: 25, licenseMonths: 12, holdTtlHours: 24, resourceFree: true });
    expect((await engine.creditNeed(operator, { project: 'pay' })).need).toBe(4);
  }, 60_000);
});
