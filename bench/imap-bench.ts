/**
 * `npm run bench:imap` — mailferry against the peers imapcopy and mbsync, IMAP → IMAP on one machine.
 *
 *   tsx bench/imap-bench.ts [--messages N] [--mailboxes M] [--offset K] [--tools mailferry,mbsync,imapcopy] [--rounds R]
 *                           [--store postgres|pglite|both] [--concurrency C (default 8)]
 *
 * mailferry's store: a fresh database on the PostgreSQL at 127.0.0.1:5432 (a server deployment;
 * default), PGlite in a temp dir (the headless CLI's default), or both.
 *
 * One source Dovecot loaded with the SpamAssassin corpus (default: all of it over 20 mailboxes);
 * each tool copies it into its own fresh destination Dovecot; the independent checker
 * (test/helpers/dovecot.ts readMailbox) then compares every message: present once, same bytes,
 * flags and internal date. Prints messages/s per tool and mailferry's ratio to the fastest peer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { corpusSize } from '../test/helpers/corpus.js';
import { createDatabase } from '../test/helpers/store.js';
import { startDovecot, type DovecotServer, type DovecotUser } from '../test/helpers/dovecot.js';
import { benchUsers, loadSource } from './bench-source.js';
import { compare, describeFidelity, perfect, snapshot, type Fidelity, type Snapshot } from './fidelity.js';
import { cpuBetween, cpuByProcess, describeCpuDelta, machineCpuSeconds, settleDisk } from './machine-cpu.js';
import { runMailferry } from './mailferry-run.js';
import { installed, MBSYNC_PARALLEL, PEERS, type Peer } from './peers.js';

interface Result { tool: string; seconds: number; cpuSeconds?: number; rate: number; fidelity: Fidelity; note: string }

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

function intFlag(argv: string[], name: string, fallback: number, max: number): number {
  const raw = flag(argv, name);
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be a whole number from 1 to ${max}`);
  return n;
}

const log = (line: string) => process.stdout.write(`${line}\n`);

/** A tool's run: a note for the report and, when the tool times itself (mailferry: setup excluded), its seconds. */
type ToolRun = (destination: DovecotServer, dir: string) => Promise<{ note: string; seconds?: number; cpuSeconds?: number; cpuByTool?: string }>;

async function timedTool(name: string, users: DovecotUser[], source: DovecotServer, expected: Snapshot, run: ToolRun): Promise<Result> {
  const destination = await startDovecot({ users });
  const dir = await mkdtemp(path.join(tmpdir(), `mf-bench-${name}-`));
  try {
    settleDisk();
    log(`${name}: copying…`);
    const started = performance.now();
    const cpu0 = machineCpuSeconds();
    const byCommand0 = cpuByProcess();
    const outcome = await run(destination, dir);
    const seconds = outcome.seconds ?? (performance.now() - started) / 1000;
    const cpuSeconds = outcome.cpuSeconds ?? cpuBetween(cpu0, machineCpuSeconds());
    const cpuByTool = outcome.cpuByTool ?? describeCpuDelta(byCommand0, cpuByProcess());
    const note = outcome.note;
    const fidelity = await compare(expected, await snapshot(destination, users), { source, destination, users });
    const cpu = cpuSeconds === undefined ? '' : `, machine CPU ${cpuSeconds.toFixed(1)} s (${(cpuSeconds * 1000 / Math.max(1, fidelity.expected)).toFixed(2)} ms/msg${cpuByTool ? `: ${cpuByTool}` : ''})`;
    const rate = fidelity.expected / seconds;
    log(`${name}: ${seconds.toFixed(1)} s, ${rate.toFixed(0)} msg/s${cpu}, fidelity ${describeFidelity(fidelity)}${note ? ` — ${note}` : ''}`);
    for (const example of fidelity.examples) log(`  e.g. ${example}`);
    return { tool: name, seconds, cpuSeconds, rate, fidelity, note };
  } finally {
    await destination.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** mailferry on one store: PGlite in a temp dir (the headless CLI's default) or a fresh PostgreSQL database. */
async function mailferryOn(store: 'pglite' | 'postgres', props: { users: DovecotUser[]; source: DovecotServer; expected: Snapshot; concurrency?: number; redisUrl: string }): Promise<Result[]> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'mf-bench-store-'));
  let database: { databaseUrl: string; drop: () => Promise<void> } | null = null;
  const name = `mailferry (${store})`;
  try {
    if (store === 'postgres') database = await createDatabase();
    return [await timedTool(name, props.users, props.source, props.expected, async (destination) => {
      const t = await runMailferry({ ...props, destination, store: { dataDir, databaseUrl: database?.databaseUrl }, progress: log });
      const note = `scan ${t.scanSeconds.toFixed(1)} s + full run ${t.runSeconds.toFixed(1)} s, run ${t.runStatus}, engine verification ${t.consistencyPercent ?? '?'} %`;
      return { note, seconds: t.seconds, cpuSeconds: t.cpuSeconds, cpuByTool: t.cpuByTool };
    })];
  } catch (error) {
    log(`${name}: failed — ${error instanceof Error ? error.message : String(error)}${store === 'postgres' ? ' (is PostgreSQL at 127.0.0.1:5432 up? --store pglite skips it)' : ''}`);
    return [];
  } finally {
    await database?.drop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One result per tool: the run with the median rate, and the worst fidelity any of its runs had. */
function medians(results: Result[]): Result[] {
  const byTool = new Map<string, Result[]>();
  for (const r of results) byTool.set(r.tool, [...(byTool.get(r.tool) ?? []), r]);
  return [...byTool.values()].map((runs) => {
    const sorted = [...runs].sort((a, b) => a.rate - b.rate);
    const median = sorted[Math.floor((sorted.length - 1) / 2)] as Result;
    const worst = runs.find((r) => !perfect(r.fidelity)) ?? median;
    return { ...median, fidelity: worst.fidelity, note: runs.length > 1 ? `median of ${runs.length}: ${sorted.map((r) => r.rate.toFixed(0)).join(', ')} msg/s` : median.note };
  });
}

function summary(results: Result[]): string {
  const parts = results.map((r) => `${r.tool} ${r.rate.toFixed(0)} msg/s${perfect(r.fidelity) ? '' : ' (imperfect)'}`);
  const mf = results.filter((r) => r.tool.startsWith('mailferry')).sort((a, b) => b.rate - a.rate)[0];
  const peers = results.filter((r) => !r.tool.startsWith('mailferry')).sort((a, b) => b.rate - a.rate);
  const fastest = peers[0];
  const ratio = mf && fastest ? ` · ratio ${(mf.rate / fastest.rate).toFixed(2)}× the fastest peer (${fastest.tool}${mf === results.find((r) => r.tool.startsWith('mailferry')) ? '' : `; best mailferry: ${mf.tool}`})` : '';
  const faithful = peers.find((r) => perfect(r.fidelity));
  const faithfulRatio = mf && faithful && faithful !== fastest ? ` · ${(mf.rate / faithful.rate).toFixed(2)}× the fastest peer with perfect fidelity (${faithful.tool})` : '';
  return parts.join(' · ') + ratio + faithfulRatio;
}

async function main(argv: string[]): Promise<number> {
  const mailboxes = intFlag(argv, 'mailboxes', 20, 500);
  const offset = flag(argv, 'offset') ? intFlag(argv, 'offset', 0, corpusSize() - 1) : 0;
  const messages = intFlag(argv, 'messages', corpusSize() - offset, corpusSize() - offset);
  // As many mailboxes at once as mbsync runs channels: the same parallelism for both.
  const concurrency = intFlag(argv, 'concurrency', MBSYNC_PARALLEL, 64);
  const rounds = intFlag(argv, 'rounds', 1, 9);
  const storeFlag = flag(argv, 'store') ?? 'postgres';
  if (!['pglite', 'postgres', 'both'].includes(storeFlag)) throw new Error('--store is pglite, postgres or both');
  const stores = (storeFlag === 'both' ? ['postgres', 'pglite'] : [storeFlag]) as ('pglite' | 'postgres')[];
  const tools = (flag(argv, 'tools') ?? 'mailferry,mbsync,imapcopy').split(',').map((t) => t.trim());
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const users = benchUsers(mailboxes);

  log(`IMAP → IMAP benchmark: ${messages} SpamAssassin messages over ${mailboxes} mailboxes (4 folders each, flags, keywords, internal dates)`);
  const source = await startDovecot({ users });
  const results: Result[] = [];
  try {
    const loadStart = performance.now();
    await loadSource(source, users, messages, offset);
    const expected = await snapshot(source, users);
    log(`source loaded in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);

    // Rounds interleave the tools (mailferry, mbsync, imapcopy, mailferry, …) so that a busy spell of the machine
    // hits every tool alike; the summary takes each tool's median.
    for (let round = 1; round <= rounds; round++) {
      if (rounds > 1) log(`— round ${round} of ${rounds}`);
      if (tools.includes('mailferry')) {
        for (const store of stores) results.push(...await mailferryOn(store, { users, source, expected, concurrency, redisUrl }));
      }
      for (const peer of PEERS.filter((p: Peer) => tools.includes(p.name))) {
        if (!installed(peer.binary)) {
          if (round === 1) log(`${peer.name}: skipped — not installed (install it with \`${peer.install}\`)`);
          continue;
        }
        try {
          results.push(await timedTool(peer.name, users, source, expected, async (destination, dir) => {
            await peer.run({ source, destination, users, dir });
            return { note: peer.name === 'mbsync' ? `${MBSYNC_PARALLEL} channel processes in parallel` : 'one process' };
          }));
        } catch (error) {
          log(`${peer.name}: failed — ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  } finally {
    await source.stop();
  }
  log('');
  log(summary(medians(results)));
  return results.every((r) => perfect(r.fidelity) || !r.tool.startsWith('mailferry')) ? 0 : 2;
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  return 1;
});
process.exit();
