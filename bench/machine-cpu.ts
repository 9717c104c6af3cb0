/**
 * Machine-wide CPU time from /proc/stat (Linux): every process counts — the tool, its database,
 * both Dovecots. On a 2-core machine shared by all of them, CPU seconds per message is what decides
 * throughput once the cores are busy, and it varies far less with other load than wall time does.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Busy CPU seconds since boot (user, nice, system, irq, softirq, steal), or null off Linux. */
export function machineCpuSeconds(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return [user, nice, system, irq, softirq, steal].reduce((sum: number, n) => sum + (n ?? 0), 0) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU seconds between two readings, or undefined when either is missing. */
export function cpuBetween(start: number | null, end: number | null): number | undefined {
  return start === null || end === null ? undefined : end - start;
}

/** One /proc/<pid>/stat (or /proc/<pid>/task/<tid>/stat): command name, parent, and CPU seconds of its own and of its reaped children. */
export interface ProcStat { comm: string; ppid: number; own: number; children: number }

export function readProcStat(path: string): ProcStat | null {
  try {
    const stat = readFileSync(path, 'utf8');
    const close = stat.lastIndexOf(')');
    // Fields after the command: state is field 3, ppid 4; utime, stime, cutime, cstime are fields 14–17.
    const fields = stat.slice(close + 2).split(' ').map(Number);
    const at = (i: number) => fields[i] ?? 0;
    return { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: at(1), own: (at(11) + at(12)) / TICKS_PER_SECOND, children: (at(13) + at(14)) / TICKS_PER_SECOND };
  } catch {
    return null; // the process ended while we looked
  }
}

/** Every process's pid, or none off Linux. */
export function pids(): string[] {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
}

/**
 * CPU seconds of every process by pid, with its command name: its own time plus that of its
 * children already reaped (Dovecot's short-lived imap processes end up in their master).
 */
export function cpuByProcess(): Map<string, { comm: string; seconds: number }> {
  const totals = new Map<string, { comm: string; seconds: number }>();
  for (const pid of pids()) {
    const stat = readProcStat(`/proc/${pid}/stat`);
    // A kernel worker's name carries its current work queue (kworker/u8:1-writeback): one name for all.
    if (stat) totals.set(pid, { comm: stat.comm.replace(/^kworker\/.*$/, 'kworker'), seconds: stat.own + stat.children });
  }
  return totals;
}

/** What each command used between two readings, largest first, as `node 3.1 s, imap 2.0 s`. */
export function describeCpuDelta(before: Map<string, { comm: string; seconds: number }>, after: Map<string, { comm: string; seconds: number }>, top = 4): string {
  const byComm = new Map<string, number>();
  for (const [pid, now] of after) {
    const then = before.get(pid);
    const used = now.seconds - (then && then.comm === now.comm ? then.seconds : 0);
    byComm.set(now.comm, (byComm.get(now.comm) ?? 0) + Math.max(0, used));
  }
  return [...byComm].filter(([, s]) => s >= 0.05).sort((a, b) => b[1] - a[1]).slice(0, top).map(([comm, s]) => `${comm} ${s.toFixed(1)} s`).join(', ');
}

/**
 * Flushes what earlier steps wrote (the corpus load, the previous tool's copy) before a tool starts,
 * so that no tool pays for another's disk write-back: `sync` returns once the dirty pages are on disk.
 */
export function settleDisk(): void {
  spawnSync('sync', { stdio: 'ignore' });
}
