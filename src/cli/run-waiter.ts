import cliProgress from 'cli-progress';
import type { Engine, RunDetail } from '../engine/index.js';

const DONE: readonly RunDetail['status'][] = ['completed', 'failed', 'cancelled'];
/** Progress is read this often; the end of the run wakes the waiter at once (its run.finished event). */
const POLL_MS = 500;
const PLAIN_EVERY_MS = 5_000;

/** What a bar shows: items once the run knows how many, mailboxes before (and for scans). */
export function progressOf(run: RunDetail): { value: number; total: number; unit: string; failed: number } {
  const p = run.progress;
  const n = (key: string) => Number(p[key] ?? 0);
  if (run.mode !== 'scan' && n('itemsTotal') > 0) {
    return { value: n('itemsDone') + n('itemsFailed') + n('itemsSkipped'), total: n('itemsTotal'), unit: 'items', failed: n('itemsFailed') };
  }
  return { value: n('mailboxesDone') + n('mailboxesFailed'), total: n('mailboxesTotal'), unit: 'mailboxes', failed: n('mailboxesFailed') };
}

export function describeProgress(run: RunDetail): string {
  const { value, total, unit, failed } = progressOf(run);
  const n = (key: string) => Number(run.progress[key] ?? 0);
  const mailboxes = unit === 'items' ? `, mailboxes ${n('mailboxesDone')}/${n('mailboxesTotal')}` : '';
  return `${run.mode} ${run.status}: ${value}/${total || '?'} ${unit}${mailboxes}${failed ? `, ${failed} failed` : ''}`;
}

export interface WaitOptions {
  /** A bar on a TTY, plain lines otherwise; none when false. */
  show: boolean;
  tty: boolean;
  /** Stops waiting (Ctrl-C); the run goes on wherever workers run. */
  signal?: AbortSignal;
  /** Called with every reading of the run (the benchmark prints its own progress lines). */
  onTick?: (run: RunDetail) => void;
}

/**
 * Reads the run until it ends (or the wait is aborted), drawing progress on stderr: every POLL_MS,
 * and at once when any process announces that the run finished (without Redis events, polling alone).
 */
export async function waitForRun(engine: Engine, runId: string, options: WaitOptions): Promise<RunDetail> {
  let finished = false;
  let wake: (() => void) | null = null;
  const unsubscribe = await engine.onEvent((event) => {
    if (event.runId !== runId || event.type !== 'run.finished') return;
    finished = true;
    wake?.();
  }).catch(() => null);
  const bar = options.show && options.tty
    ? new cliProgress.SingleBar({ format: '{mode} [{bar}] {percentage}% | {value}/{total} {unit} | {elapsed}s{failed}', hideCursor: true }, cliProgress.Presets.shades_classic)
    : null;
  const started = Date.now();
  let lastLine = 0;
  let lastText = '';
  let run = await engine.getRun(runId);
  const first = progressOf(run);
  bar?.start(Math.max(first.total, 1), first.value, { mode: run.mode, unit: first.unit, elapsed: 0, failed: '' });
  try {
    for (;;) {
      const p = progressOf(run);
      if (bar) {
        bar.setTotal(Math.max(p.total, 1));
        bar.update(p.value, { mode: run.mode, unit: p.unit, elapsed: Math.round((Date.now() - started) / 1000), failed: p.failed ? ` | ${p.failed} failed` : '' });
      } else if (options.show) {
        const text = describeProgress(run);
        if (Date.now() - lastLine >= PLAIN_EVERY_MS && text !== lastText) {
          process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
          lastLine = Date.now();
          lastText = text;
        }
      }
      options.onTick?.(run);
      if (DONE.includes(run.status) || run.status === 'pending_approval' || options.signal?.aborted) return run;
      if (!finished) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_MS);
          wake = () => { clearTimeout(timer); resolve(); };
        });
        wake = null;
      }
      finished = false;
      run = await engine.getRun(runId);
    }
  } finally {
    bar?.stop();
    await unsubscribe?.().catch(() => undefined);
  }
}
