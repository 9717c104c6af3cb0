/**
 * The operator CLI end to end, as a script would use it: each step spawns `src/cli/main.ts` on a
 * fresh PGlite directory and its own queue prefix, and reads only stdout, stderr and the exit code.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendMessages, readMailbox, startDovecot, type CheckedFolder, type DovecotServer } from '../helpers/dovecot.js';
import { corpusMessages } from '../helpers/corpus.js';

const exec = promisify(execFile);

interface CliResult { code: number; stdout: string; stderr: string }

function cliIn(dataDir: string) {
  const env = { ...process.env, DATABASE_URL: '', MAILFERRY_DATA_DIR: dataDir, MAILFERRY_QUEUE_PREFIX: `mftest-cli-${randomBytes(4).toString('hex')}`, LOG_LEVEL: '' };
  return async (...args: string[]): Promise<CliResult> => {
    try {
      const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, timeout: 50_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mf-cli-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('operator CLI: sandbox → sandbox, headless', () => {
  const cli = cliIn(tempDir());

  it('creates, scans and matches with no server running', async () => {
    const created = await cli('project', 'create', '--org', 'acme', '--name', 'move', '--source', 'sandbox://?mailboxes=4&messages=12&seed=3&domain=old.example',
      '--destination', 'sandbox://?mailboxes=4&domain=new.example');
    expect(created.stderr).toBe('');
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).toContain('Created project move in org acme (sandbox → sandbox).');

    const scan = await cli('project', 'scan', 'move', '--org', 'acme', '--wait', '--json');
    expect(scan.code).toBe(0);
    const scanned = JSON.parse(scan.stdout) as { run: { status: string; summary: { source: { mailboxes: number; mail: number } } } };
    expect(scanned.run.status).toBe('completed');
    expect(scanned.run.summary.source).toMatchObject({ mailboxes: 4, mail: 48 });

    const match = await cli('project', 'match', 'move', '--org', 'acme', '--json');
    expect(match.code).toBe(0);
    const review = JSON.parse(match.stdout) as { counts: { matched: number; total: number }; mappings: { source: { address: string }; destinationAddress: string }[] };
    expect(review.counts).toMatchObject({ matched: 4, total: 4 });
    expect(review.mappings.map((m) => `${m.source.address}>${m.destinationAddress}`)).toContain('user2@old.example>user2@new.example');

    const status = await cli('project', 'status', 'move', '--org', 'acme', '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ project: { name: 'move', stage: 'ready_to_launch', createdBy: expect.stringMatching(/^cli:/) }, run: { mode: 'scan', status: 'completed' } });
  });

  it('launches a full run that moves everything, then verifies 100 %', async () => {
    // A full run costs credits (DESIGN §5): the operator grants them, and --approve approves the hold it creates.
    expect((await cli('credits', 'grant', '--org', 'acme', '--amount', '4', '--reason', 'cli test')).code).toBe(0);
    const launch = await cli('project', 'launch', 'move', '--org', 'acme', '--mode', 'full', '--wait', '--approve', '--json');
    expect(launch.stderr).toMatch(/Approved hold hold_\w+: 4 credits held for this run\./);
    expect(launch.code).toBe(0);
    expect(JSON.parse(launch.stdout)).toMatchObject({ run: { mode: 'full', status: 'completed' }, verification: { consistencyPercent: 100, missingTotal: 0 } });

    const verify = await cli('project', 'verify', 'move', '--org', 'acme', '--json');
    expect(verify.code).toBe(0);
    const verification = JSON.parse(verify.stdout) as { consistencyPercent: number; mailboxes: { folders: { source: number; destination: number }[] }[] };
    expect(verification.consistencyPercent).toBe(100);
    expect(verification.mailboxes).toHaveLength(4);
    const mailMoved = verification.mailboxes.flatMap((m) => m.folders).reduce((sum, f) => sum + f.destination, 0);
    expect(mailMoved).toBeGreaterThanOrEqual(48);
  });

  it('exits with 2 when a run finishes with failures, naming the failed mailbox', async () => {
    // The sandbox fails chosen operations of chosen mailboxes every time (deterministic per seed).
    const created = await cli('project', 'create', '--name', 'flaky', '--source', 'sandbox://?mailboxes=6&messages=10&domain=a.example&failure=0.3',
      '--destination', 'sandbox://?mailboxes=6&domain=b.example');
    expect(created.code).toBe(0);
    const scan = await cli('project', 'scan', 'flaky', '--wait');
    expect(scan.code).toBe(2);
    expect(scan.stdout).toMatch(/scan completed: 12\/12 mailboxes, 1 failed/);
    expect(scan.stdout).toContain('user2@a.example: failed — The sandbox failed stats for user2@a.example on purpose');
  });

  it('refuses a bad URL, a CSV without a column and a store held by a server, in one sentence with exit code 1', async () => {
    const dataDir = tempDir();
    const cli = cliIn(dataDir);
    const badUrl = await cli('project', 'create', '--name', 'x', '--source', 'ftp://mail.example.com', '--destination', 'sandbox://');
    expect(badUrl).toMatchObject({ code: 1, stdout: '' });
    expect(badUrl.stderr.trim()).toBe('--source: "ftp" is not a connection type the CLI knows; use imap://, imaps:// or sandbox://.');

    const csv = path.join(tempDir(), 'accounts.csv');
    writeFileSync(csv, 'source_address,source_password,destination_address\nada@old.example,pw,ada@new.example\n');
    const badCsv = await cli('project', 'create', '--name', 'x', '--source', 'imap://127.0.0.1:1143?tls=off', '--destination', 'imaps://mail.new.example', '--mailboxes', csv);
    expect(badCsv).toMatchObject({ code: 1, stdout: '' });
    expect(badCsv.stderr.trim()).toBe(`${csv} lacks the column destination_password; its header must be source_address,source_password,destination_address,destination_password.`);
    // Both were refused before the store was opened: nothing was written.
    expect(readdirSync(dataDir)).toEqual([]);

    // A running server owns the embedded store (this test process plays it: a live pid in the lock).
    writeFileSync(path.join(dataDir, 'mailferry.lock'), String(process.pid));
    const locked = await cli('project', 'scan', 'move', '--wait');
    expect(locked).toMatchObject({ code: 1, stdout: '' });
    expect(locked.stderr.trim()).toMatch(/^The data directory .* is in use by another mailferry process \(pid \d+\); stop it, or set DATABASE_URL to a PostgreSQL server/);
  });
});

describe('operator CLI: IMAP → IMAP with a mailboxes CSV', () => {
  let source: DovecotServer;
  let destination: DovecotServer;
  const users = [
    { from: { address: 'ada@old.example', password: 'src, "quoted" pw' }, to: { address: 'ada.lovelace@new.example', password: 'dst-pw-1' } },
    { from: { address: 'bob@old.example', password: 'src-pw-2' }, to: { address: 'robert@new.example', password: 'dst-pw-2' } },
  ];

  beforeAll(async () => {
    [source, destination] = await Promise.all([startDovecot({ users: users.map((u) => u.from) }), startDovecot({ users: users.map((u) => u.to) })]);
    await appendMessages(source, users[0]!.from, 'INBOX', corpusMessages(3, 0), ['\\Seen']);
    await appendMessages(source, users[1]!.from, 'Projects/Été', corpusMessages(2, 3));
  });
  afterAll(async () => Promise.all([source?.stop(), destination?.stop()]));

  it('connects both servers from URLs, maps by the CSV pairs, moves the mail intact, and never prints a password', async () => {
    const dir = tempDir();
    const cli = cliIn(dir);
    const csv = path.join(dir, 'accounts.csv');
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    writeFileSync(csv, ['source_address,source_password,destination_address,destination_password',
      ...users.map((u) => [u.from.address, quote(u.from.password), u.to.address, u.to.password].join(','))].join('\n'));

    const created = await cli('project', 'create', '--name', 'imap move', '--source', `imap://127.0.0.1:${source.port}?tls=off`,
      '--destination', `imap://127.0.0.1:${destination.port}?tls=off`, '--mailboxes', csv);
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain(`imap://127.0.0.1:${source.port}, 2 accounts (valid)`);
    const scan = await cli('project', 'scan', 'imap move', '--wait');
    expect(scan.code).toBe(0);
    expect(scan.stdout).toContain('Applied 2 mailbox pairs from the CSV to the mapping.');
    const match = await cli('project', 'match', 'imap move', '--json');
    const review = JSON.parse(match.stdout) as { counts: { matched: number }; mappings: { source: { address: string; mail: number }; destinationAddress: string; changedBy: string }[] };
    expect(review.counts.matched).toBe(2);
    expect(review.mappings.map((m) => [m.source.address, m.destinationAddress, m.source.mail])).toEqual([
      ['ada@old.example', 'ada.lovelace@new.example', 3], ['bob@old.example', 'robert@new.example', 2]]);
    expect(review.mappings.every((m) => m.changedBy.startsWith('cli:'))).toBe(true);

    expect((await cli('credits', 'grant', '--org', 'local', '--amount', '2', '--reason', 'cli test')).code).toBe(0);
    const launch = await cli('project', 'launch', 'imap move', '--mode', 'full', '--wait', '--approve', '--json');
    expect(launch.code).toBe(0);
    expect(JSON.parse(launch.stdout)).toMatchObject({ run: { status: 'completed' }, verification: { consistencyPercent: 100 } });
    // The independent checker: same bytes and flags, under the mapped destination accounts.
    const digest = (folders: CheckedFolder[]) => folders.filter((f) => f.messages.length > 0).map((f) => [f.path, f.messages.map((m) => `${m.sha256}:${m.flags.join(' ')}`).sort()]);
    for (const u of users) {
      const [from, to] = [await readMailbox(source, u.from), await readMailbox(destination, u.to)];
      expect(digest(to)).toEqual(digest(from));
    }

    for (const out of [created, scan, match, launch].flatMap((r) => [r.stdout, r.stderr])) {
      for (const u of users) {
        expect(out).not.toContain(u.from.password);
        expect(out).not.toContain(u.to.password);
      }
    }
  });
});
