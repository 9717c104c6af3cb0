/**
 * The sandbox destination across processes: a full run in one CLI process and a delta plus a
 * verification in later ones (each a fresh `src/cli/main.ts` on the same PGlite directory). The
 * sandbox's writes live in the data directory, so the later processes see what the first wrote:
 * the delta finds nothing to do and the verification says 100 %, not "missing".
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const dataDir = mkdtempSync(path.join(tmpdir(), 'mf-sbx-procs-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: '', MAILFERRY_DATA_DIR: dataDir, MAILFERRY_QUEUE_PREFIX: `mftest-sbxp-${randomBytes(4).toString('hex')}`, LOG_LEVEL: '' };
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, timeout: 50_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('a sandbox destination seen from several CLI processes', () => {
  it('verifies 100 % after a delta launched from a new process', async () => {
    const created = await cli('project', 'create', '--name', 'hop', '--source', 'sandbox://?mailboxes=4&messages=10&seed=5&domain=old.example',
      '--destination', 'sandbox://?mailboxes=4&domain=new.example');
    expect(created.code).toBe(0);
    expect((await cli('project', 'scan', 'hop', '--wait')).code).toBe(0);
    // Full runs cost credits (DESIGN §5): grant them, and approve the hold as the operator.
    expect((await cli('credits', 'grant', '--org', 'local', '--amount', '4', '--reason', 'test credits')).code).toBe(0);
    const full = await cli('project', 'launch', 'hop', '--mode', 'full', '--wait', '--approve', '--json');
    expect(full.code).toBe(0);
    const fullRun = JSON.parse(full.stdout) as { run: { status: string; progress: { itemsDone: number } }; verification: { consistencyPercent: number } };
    expect(fullRun).toMatchObject({ run: { status: 'completed' }, verification: { consistencyPercent: 100 } });
    expect(fullRun.run.progress.itemsDone).toBeGreaterThanOrEqual(40);

    const delta = await cli('project', 'launch', 'hop', '--mode', 'delta', '--wait', '--json');
    expect(delta.code, delta.stderr).toBe(0);
    const deltaRun = JSON.parse(delta.stdout) as { run: { status: string; progress: { itemsDone: number } }; verification: { consistencyPercent: number; missingTotal: number } };
    expect(deltaRun).toMatchObject({ run: { status: 'completed' }, verification: { consistencyPercent: 100, missingTotal: 0 } });
    expect(deltaRun.run.progress.itemsDone ?? 0).toBe(0);

    const verify = await cli('project', 'verify', 'hop', '--json');
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ consistencyPercent: 100, missingTotal: 0 });
    // The destination tenant's writes are one journal file in the data directory.
    expect(readdirSync(path.join(dataDir, 'sandbox')).filter((f) => f.endsWith('.jsonl'))).toHaveLength(1);
  }, 120_000);
});
