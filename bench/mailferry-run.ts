/**
 * mailferry in the benchmark: the same steps as the headless CLI (`project create`, `scan --wait`,
 * `match`, `launch --mode full --wait`), through the engine API in this process, with the workers
 * in-process too. Timed from the scan to the end of the full run (verification included); opening
 * the store and saving the connections happen once per project and are not counted.
 */
import { randomBytes } from 'node:crypto';
import { waitForRun } from '../src/cli/run-waiter.js';
import { createEngine, type Actor, type Engine, type RunDetail } from '../src/engine/index.js';
import type { DovecotServer, DovecotUser } from '../test/helpers/dovecot.js';
import { startDiagnostics } from './diagnostics.js';
import { cpuBetween, cpuByProcess, describeCpuDelta, machineCpuSeconds } from './machine-cpu.js';

export interface MailferryTiming { seconds: number; cpuSeconds?: number; cpuByTool?: string; scanSeconds: number; runSeconds: number; consistencyPercent: number | null; runStatus: string }

const actor: Actor = { orgId: 'bench', orgName: 'bench', userId: 'cli:bench', userName: 'cli:bench', platformAdmin: true };
const quiet = { info() {}, warn() {}, error() {} };

/** The CLI's `--wait` (src/cli/run-waiter.ts): it polls and wakes at once on the run's run.finished event. */
function waitFor(engine: Engine, runId: string, onTick?: (run: RunDetail) => void): Promise<RunDetail> {
  return waitForRun(engine, runId, { show: false, tty: false, onTick });
}

export async function runMailferry(props: {
  source: DovecotServer; destination: DovecotServer; users: DovecotUser[]; concurrency?: number; redisUrl: string;
  /** PGlite directory, or a PostgreSQL URL. */
  store: { dataDir: string; databaseUrl?: string };
  progress?: (line: string) => void;
}): Promise<MailferryTiming> {
  const engine = await createEngine({
    dataDir: props.store.dataDir, databaseUrl: props.store.databaseUrl, redisUrl: props.redisUrl,
    queuePrefix: `mfbench-${randomBytes(4).toString('hex')}`, secretKey: randomBytes(32).toString('base64'), admins: [], log: quiet,
    ...(props.concurrency ? { copyConcurrency: props.concurrency } : {}),
  });
  try {
    const project = await engine.createProject(actor, { name: 'bench', sourcePlatform: 'imap', destinationPlatform: 'imap', channelKey: 'cli:bench' });
    const imap = (server: DovecotServer) => ({ platform: 'imap' as const, host: server.host, port: server.port, tls: false, mailboxes: props.users.map((u) => ({ ...u })) });
    await engine.saveConnection(actor, { project: project.id, side: 'source', settings: imap(props.source) });
    await engine.saveConnection(actor, { project: project.id, side: 'destination', settings: imap(props.destination) });
    await engine.startWorkers();
    // A full run holds one credit per mailbox; the operator grants them and approves its own hold, as `project launch --approve` does.
    await engine.grantCredits(actor, { amount: props.users.length, reason: 'bench' });

    const diagnostics = await startDiagnostics({ source: props.source, destination: props.destination, databaseUrl: props.store.databaseUrl });
    const t0 = performance.now();
    const cpu0 = machineCpuSeconds();
    const byCommand0 = cpuByProcess();
    const scan = await waitFor(engine, (await engine.startScan(actor, { project: project.id })).id);
    if (scan.status !== 'completed') throw new Error(`the scan ended ${scan.status}: ${scan.error ?? ''}`);
    const review = await engine.getMatchReview(actor, { project: project.id });
    if (review.counts.matched !== props.users.length) throw new Error(`expected ${props.users.length} matched mailboxes, got ${JSON.stringify(review.counts)}`);
    const t1 = performance.now();
    diagnostics?.scanned();
    let lastLine = 0;
    const launched = await engine.launchRun(actor, { project: project.id, mode: 'full' });
    if (launched.hold?.status === 'pending_approval') await engine.decideHold(actor, { holdId: launched.hold.id, decision: 'approve' });
    const run = await waitFor(engine, launched.id, (r) => {
      if (!props.progress || performance.now() - lastLine < 5000) return;
      lastLine = performance.now();
      props.progress(`mailferry: ${r.progress.itemsDone ?? 0}/${r.progress.itemsTotal ?? '?'} items, mailboxes ${r.progress.mailboxesDone ?? 0}/${r.progress.mailboxesTotal ?? '?'}`);
    });
    const t2 = performance.now();
    const cpuSeconds = cpuBetween(cpu0, machineCpuSeconds());
    const cpuByTool = describeCpuDelta(byCommand0, cpuByProcess());
    for (const line of await diagnostics?.stop(run.id, performance.timeOrigin + t1) ?? []) props.progress?.(line);
    const verification = await engine.getVerification(actor, { project: project.id, runId: run.id }).catch(() => null);
    return { seconds: (t2 - t0) / 1000, cpuSeconds, cpuByTool, scanSeconds: (t1 - t0) / 1000, runSeconds: (t2 - t1) / 1000, consistencyPercent: verification?.consistencyPercent ?? null, runStatus: run.status };
  } finally {
    await engine.close();
  }
}
