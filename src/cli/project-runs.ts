import { AppError } from '../errors.js';
import type { HoldInfo, RunDetail, RunInfo, RunMode, RunOptions, VerificationInfo } from '../engine/index.js';
import type { CliArgs } from './cli-args.js';
import { requireName } from './cli-args.js';
import type { CliSession } from './cli-session.js';
import type { ProjectCommand } from './command-result.js';
import { applyPairs } from './mailbox-pairs.js';
import { orgOf } from './project-create.js';
import { formatRun, formatVerification } from './project-format.js';
import { waitForRun } from './run-waiter.js';

type CopyMode = Exclude<RunMode, 'scan'>;
const MODES: readonly CopyMode[] = ['full', 'delta', 'structure', 'retry'];

/** Starts a run; with --wait, a run already active on the project is joined instead of refused. */
async function startOrJoin(args: CliArgs, start: () => Promise<RunInfo>): Promise<{ runId: string; joined: boolean; hold?: HoldInfo | null }> {
  try {
    const run = await start();
    return { runId: run.id, joined: false, hold: run.hold };
  } catch (error) {
    const runId = AppError.is(error, 'CONFLICT') ? error.details?.runId : undefined;
    if (!args.switches.has('wait') || typeof runId !== 'string') throw error;
    return { runId, joined: true };
  }
}

/**
 * Waits for the run with this process working too: `--wait` must finish a headless migration even
 * when no server or worker runs (BullMQ shares the jobs fairly if one does).
 */
async function waitHere(session: CliSession, args: CliArgs, runId: string): Promise<RunDetail> {
  await session.engine.startWorkers();
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const show = !args.json || Boolean(process.stderr.isTTY);
    const run = await waitForRun(session.engine, runId, { show, tty: Boolean(process.stderr.isTTY), signal: abort.signal });
    if (abort.signal.aborted) {
      throw new AppError('CONFLICT', `Stopped waiting; the ${run.mode} run ${run.id} goes on with the next worker (run the same command with --wait to resume it here).`);
    }
    return run;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function failedCount(run: RunDetail): number {
  const n = (key: string) => Number(run.progress[key] ?? 0);
  return n('mailboxesFailed') + n('itemsFailed');
}

/** `command` is the CLI command that waits for this run, e.g. `project scan acme --wait`. */
function queuedText(run: RunInfo | RunDetail, command: string): string {
  return `${run.mode} run ${run.id} is ${run.status.replace('_', ' ')}; a mailferry worker runs it (\`npm run cli -- ${command}\` runs it here and shows progress).`;
}

export const scanCommand: ProjectCommand = (args) => {
  const name = requireName(args);
  return async (session) => {
    const actor = session.actor(orgOf(args));
    await session.requireRedis();
    const { runId, joined } = await startOrJoin(args, () => session.engine.startScan(actor, { project: name }));
    if (!args.switches.has('wait')) {
      const run = await session.engine.getRun(runId);
      return { data: run, text: queuedText(run, `project scan ${name} --wait`) };
    }
    if (joined) process.stderr.write(`A run is already active on ${name}; waiting for it.\n`);
    const run = await waitHere(session, args, runId);
    const applied = run.status === 'completed' && run.mode === 'scan' ? await applyPairs(session.engine, actor, run.projectId) : 0;
    const text = [formatRun(run), applied ? `Applied ${applied} mailbox pair${applied === 1 ? '' : 's'} from the CSV to the mapping.` : '',
      run.status === 'completed' ? `Next: npm run cli -- project match ${name}` : ''].filter(Boolean).join('\n');
    return { data: { run, pairsApplied: applied }, text, exitCode: run.status !== 'completed' || failedCount(run) > 0 ? 2 : 0 };
  };
};

function runOptions(args: CliArgs): RunOptions | undefined {
  const options: RunOptions = {};
  for (const what of (args.flags.exclude ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (what !== 'mail' && what !== 'calendars' && what !== 'contacts') throw new AppError('BAD_INPUT', `--exclude takes mail, calendars or contacts, not "${what}".`);
    options[what] = false;
  }
  for (const edge of ['from', 'to'] as const) {
    const value = args.flags[edge];
    if (value === undefined) continue;
    if (Number.isNaN(Date.parse(value))) throw new AppError('BAD_INPUT', `--${edge} takes a date such as 2024-01-31, not "${value}".`);
    options[edge] = new Date(value).toISOString();
  }
  // Destinations flagged create_missing on Microsoft 365: where the new users live and which license they get.
  const usageLocation = args.flags['usage-location'];
  const skuId = args.flags.sku;
  if ((usageLocation === undefined) !== (skuId === undefined)) {
    throw new AppError('BAD_INPUT', 'Give --usage-location (two letters, e.g. DE) and --sku (a license SKU id) together: new Microsoft 365 users need both.');
  }
  if (usageLocation !== undefined && skuId !== undefined) {
    if (!/^[A-Za-z]{2}$/.test(usageLocation)) throw new AppError('BAD_INPUT', `--usage-location takes a two-letter country code such as DE, not "${usageLocation}".`);
    options.createMissing = { usageLocation: usageLocation.toUpperCase(), skuId };
  }
  return Object.keys(options).length > 0 ? options : undefined;
}

export const launchCommand: ProjectCommand = (args) => {
  const name = requireName(args);
  const mode = (args.flags.mode ?? 'full').toLowerCase() as CopyMode;
  if (!MODES.includes(mode)) throw new AppError('BAD_INPUT', `--mode is one of ${MODES.join(', ')}, not "${mode}".`);
  const options = runOptions(args);
  return async (session) => {
    const actor = session.actor(orgOf(args));
    await session.requireRedis();
    await applyPairs(session.engine, actor, (await session.engine.getProject(actor, name)).id);
    const started = await startOrJoin(args, () => session.engine.launchRun(actor, { project: name, mode, ...(options ? { options } : {}) }));
    const { runId, joined } = started;
    // Joining a run that still waits for its credits: --approve approves that hold too.
    const hold = joined && args.switches.has('approve') ? (await session.engine.listHolds(actor)).find((h) => h.runId === runId) : started.hold;
    if (hold?.status === 'pending_approval') {
      if (!args.switches.has('approve')) {
        const run = await session.engine.getRun(runId);
        const text = `${mode} run ${runId} needs ${hold.amount} credit${hold.amount === 1 ? '' : 's'}: hold ${hold.id} waits for an approver in chat (\`approvals\`), `
          + `or approve it here: \`npm run cli -- project launch ${name} --mode ${mode} --wait --approve\`. Nothing runs before it is approved.`;
        return { data: { run, hold }, text };
      }
      // The operator approves the hold it launched (audited as cli:<user>; the CLI operator may self-approve).
      await session.engine.decideHold(actor, { holdId: hold.id, decision: 'approve' });
      process.stderr.write(`Approved hold ${hold.id}: ${hold.amount} credit${hold.amount === 1 ? '' : 's'} held for this run.\n`);
    }
    if (!args.switches.has('wait')) {
      const run = await session.engine.getRun(runId);
      return { data: run, text: queuedText(run, `project launch ${name} --mode ${mode} --wait`) };
    }
    if (joined) process.stderr.write(`A run is already active on ${name}; waiting for it.\n`);
    const run = await waitHere(session, args, runId);
    const verification: VerificationInfo | null = run.status === 'completed' || run.status === 'failed'
      ? await session.engine.getVerification(actor, { project: name, runId }).catch(() => null)
      : null;
    const incomplete = verification ? verification.missingTotal > 0 || verification.consistencyPercent < 100 : false;
    const text = [formatRun(run), verification ? formatVerification(verification) : ''].filter(Boolean).join('\n');
    // A run cancelled under us (credits rejected or expired, or cancelled in chat) says why where scripts look.
    if (run.status === 'cancelled' && run.error) process.stderr.write(`${run.error}\n`);
    return { data: { run, verification }, text, exitCode: run.status !== 'completed' || failedCount(run) > 0 || incomplete ? 2 : 0 };
  };
};
