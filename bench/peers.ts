/**
 * The peer tools, as an admin would run them from Debian: imapcopy (one process, users in turn)
 * and mbsync from isync (one channel per mailbox, 8 processes at a time: its fastest way here).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DovecotServer, DovecotUser } from '../test/helpers/dovecot.js';

export interface Peer {
  name: 'imapcopy' | 'mbsync';
  binary: string;
  install: string;
  run(props: { source: DovecotServer; destination: DovecotServer; users: DovecotUser[]; dir: string }): Promise<void>;
}

export function installed(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a command; rejects with the tail of its output when it fails. */
function exec(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

const quote = (s: string) => `"${s.replace(/"/g, '\\"')}"`;

export const imapcopy: Peer = {
  name: 'imapcopy',
  binary: 'imapcopy',
  install: 'apt-get install -y imapcopy',
  async run({ source, destination, users, dir }) {
    // imapcopy reads ImapCopy.cfg from its working directory.
    const config = [
      `SourceServer ${source.host}`, `SourcePort ${source.port}`,
      `DestServer ${destination.host}`, `DestPort ${destination.port}`,
      'DenyFlags "\\Recent"',
      ...users.map((u) => `Copy ${quote(u.address)} ${quote(u.password)} ${quote(u.address)} ${quote(u.password)}`),
    ].join('\n');
    await writeFile(path.join(dir, 'ImapCopy.cfg'), `${config}\n`, { mode: 0o600 });
    await exec('imapcopy', ['-e'], dir);
  },
};

function mbsyncConfig(source: DovecotServer, destination: DovecotServer, users: DovecotUser[], stateDir: string): string {
  const account = (name: string, server: DovecotServer, user: DovecotUser) => [
    `IMAPAccount ${name}`, `Host ${server.host}`, `Port ${server.port}`, `User ${user.address}`, `Pass ${quote(user.password)}`,
    'SSLType None', 'AuthMechs LOGIN', '', `IMAPStore ${name}`, `Account ${name}`, '',
  ];
  return users.flatMap((user, i) => [
    ...account(`src${i}`, source, user),
    ...account(`dst${i}`, destination, user),
    `Channel ch${i}`, `Far :src${i}:`, `Near :dst${i}:`, 'Patterns *', 'Create Near', 'Sync Pull', 'Expunge None',
    // One state directory per channel: mbsync locks state files by mailbox name.
    'CopyArrivalDate yes', `SyncState ${stateDir}/ch${i}/`, '',
  ]).join('\n');
}

/** Runs `jobs` with at most `width` in flight. */
async function pool(jobs: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, async () => {
    while (next < jobs.length) await (jobs[next++] as () => Promise<void>)();
  }));
}

export const MBSYNC_PARALLEL = 8;

export const mbsync: Peer = {
  name: 'mbsync',
  binary: 'mbsync',
  install: 'apt-get install -y isync',
  async run({ source, destination, users, dir }) {
    const stateDir = path.join(dir, 'mbsync-state');
    await Promise.all(users.map((_, i) => mkdir(path.join(stateDir, `ch${i}`), { recursive: true })));
    const config = path.join(dir, 'mbsyncrc');
    await writeFile(config, mbsyncConfig(source, destination, users, stateDir), { mode: 0o600 });
    await pool(users.map((_, i) => () => exec('mbsync', ['-c', config, '-q', `ch${i}`], dir)), MBSYNC_PARALLEL);
  },
};

export const PEERS: Peer[] = [mbsync, imapcopy];
