/**
 * Optional look inside mailferry's timed copy in `npm run bench:imap` (nothing of this runs unless asked):
 *
 * - `MF_BENCH_PROFILE=<file>` writes a V8 CPU profile of the bench process (engine and workers) for the
 *   timed window only (open it in Chrome DevTools or any .cpuprofile viewer).
 * - `MF_BENCH_DIAGNOSE=1` prints, after the copy: the machine's busy share per 100 ms (are both cores
 *   busy the whole time?), each Dovecot's CPU (master and its per-connection processes, so source and
 *   destination apart), sign-ins per server, PostgreSQL statements by text, and each mailbox's start
 *   and end from the run's rows.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import pg from 'pg';
import type { DovecotServer } from '../test/helpers/dovecot.js';
import { pids, readProcStat } from './machine-cpu.js';

interface Watched { source: DovecotServer; destination: DovecotServer; databaseUrl?: string }

/** CPU seconds of the Dovecot whose config lives in `dir`: its master (with ended children) and live children. */
function dovecotCpu(dir: string): number {
  const procs = pids().flatMap((pid) => {
    const stat = readProcStat(`/proc/${pid}/stat`);
    return stat ? [{ pid: Number(pid), ...stat }] : [];
  });
  const isMaster = (p: { pid: number; comm: string }) => {
    try {
      return p.comm === 'dovecot' && readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes(`${dir}/`);
    } catch {
      return false;
    }
  };
  const master = procs.find(isMaster);
  if (!master) return 0;
  return procs.filter((p) => p === master || p.ppid === master.pid).reduce((n, p) => n + p.own + (p === master ? p.children : 0), 0);
}

const signIns = (server: DovecotServer) => (readFileSync(`${server.dir}/dovecot.log`, 'utf8').match(/Login: user=/g) ?? []).length;

/** This process's CPU seconds: the main thread's, and the others' by name (V8 workers, libuv pool, loader). */
function threadCpu(): Map<string, number> {
  const byName = new Map<string, number>();
  for (const task of readdirSync('/proc/self/task')) {
    const stat = readProcStat(`/proc/self/task/${task}/stat`);
    if (!stat) continue;
    const name = task === String(process.pid) ? 'main' : stat.comm.replace(/\d+$/, '');
    byName.set(name, (byName.get(name) ?? 0) + stat.own);
  }
  return byName;
}

function machineTicks(): number[] {
  return readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
}

/** Counts statements by their text (node-postgres: every query, pooled or not, goes through Client.query). */
function countStatements(): { counts: Map<string, number>; restore(): void } {
  const counts = new Map<string, number>();
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    const text = (typeof first === 'string' ? first : first?.text ?? '?').replace(/\s+/g, ' ').trim().slice(0, 100);
    counts.set(text, (counts.get(text) ?? 0) + 1);
    return original.apply(this, args);
  };
  return { counts, restore: () => { proto.query = original; } };
}

export interface Diagnostics {
  /** Notes each Dovecot's CPU and sign-ins so far: the scan's share is printed apart from the run's. */
  scanned(): void;
  /** Ends the watch; returns the lines to print (nothing when only profiling). */
  stop(runId: string, launchedAt: number): Promise<string[]>;
}

export async function startDiagnostics(watched: Watched): Promise<Diagnostics | null> {
  const profilePath = process.env.MF_BENCH_PROFILE;
  const verbose = process.env.MF_BENCH_DIAGNOSE === '1';
  if (!profilePath && !verbose) return null;
  const profiler = profilePath ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const reading = () => ({ cpu: { source: dovecotCpu(watched.source.dir), destination: dovecotCpu(watched.destination.dir) }, signIns: { source: signIns(watched.source), destination: signIns(watched.destination) } });
  type Reading = ReturnType<typeof reading>;
  const before = verbose ? reading() : null;
  let afterScan: Reading | null = null;
  const threadsBefore = verbose ? threadCpu() : null;
  const between = (from: Reading, to: Reading) => `Dovecot CPU source ${(to.cpu.source - from.cpu.source).toFixed(2)} s, destination ${(to.cpu.destination - from.cpu.destination).toFixed(2)} s; sign-ins source ${to.signIns.source - from.signIns.source}, destination ${to.signIns.destination - from.signIns.destination}`;
  const statements = verbose ? countStatements() : null;
  const busy: number[] = [];
  let last = machineTicks();
  const sampler = verbose ? setInterval(() => {
    const now = machineTicks();
    const delta = now.map((v, i) => v - (last[i] ?? 0));
    const total = delta.reduce((a, b) => a + b, 0);
    if (total > 0) busy.push(Math.round((1 - ((delta[3] ?? 0) + (delta[4] ?? 0)) / total) * 100));
    last = now;
  }, 100) : null;

  return {
    scanned() {
      if (verbose) afterScan = reading();
    },
    async stop(runId, launchedAt) {
      if (sampler) clearInterval(sampler);
      statements?.restore();
      if (profiler) {
        const { profile } = await profiler.post('Profiler.stop');
        writeFileSync(profilePath!, JSON.stringify(profile));
        profiler.disconnect();
      }
      const lines: string[] = profilePath ? [`mailferry: CPU profile of the timed copy written to ${profilePath}`] : [];
      if (!before || !statements) return lines;
      lines.push(`mailferry: machine busy % per 100 ms: ${busy.join(' ')}`);
      const end = reading();
      lines.push(`mailferry: ${between(before, end)}`);
      if (afterScan) lines.push(`  of which the scan: ${between(before, afterScan)}; the run: ${between(afterScan, end)}`);
      const threads = [...threadCpu()].map(([name, seconds]) => [name, seconds - (threadsBefore?.get(name) ?? 0)] as const).filter(([, s]) => s >= 0.01).sort((a, b) => b[1] - a[1]);
      const named = (name: string, s: number) => `${name === 'main' ? 'main thread' : `other threads named ${name}`} ${s.toFixed(2)} s`;
      lines.push(`mailferry: this process's CPU: ${threads.map(([name, s]) => named(name, s)).join(', ')}`);
      const sorted = [...statements.counts].sort((a, b) => b[1] - a[1]);
      lines.push(`mailferry: ${sorted.reduce((n, [, c]) => n + c, 0)} PostgreSQL statements; the most frequent:`);
      for (const [text, count] of sorted.slice(0, 25)) lines.push(`  ${String(count).padStart(5)}  ${text}`);
      if (watched.databaseUrl) {
        const client = new pg.Client({ connectionString: watched.databaseUrl });
        client.on('error', () => undefined);
        await client.connect();
        try {
          const { rows } = await client.query<{ started_at: Date; finished_at: Date | null; items_done: string }>(
            'select started_at, finished_at, items_done from mailbox_runs where run_id = $1 order by started_at', [runId]);
          const at = (d: Date | null) => (d ? ((d.getTime() - launchedAt) / 1000).toFixed(2) : '?');
          lines.push(`mailferry: mailboxes, seconds from launch: ${rows.map((r) => `${at(r.started_at)}→${at(r.finished_at)} (${r.items_done})`).join(', ')}`);
        } finally {
          await client.end();
        }
      }
      return lines;
    },
  };
}
