import type { RunInfo, RunMode, RunOptions } from '../../engine/index.js';
import { AppError } from '../../errors.js';
import type { ChatContext } from '../context.js';
import type { Command, TurnDeps } from './types.js';
import { usageError } from './types.js';
import { presentRun } from '../presenters/run.js';
import { creditNeedOf, presentShortfall } from '../presenters/credits.js';
import { postApprovalCard } from '../hold-card.js';
import { cardSubject, encodeCardRef } from '../notifier.js';
import { askCreateMissing } from './launch-m365.js';

export type CopyMode = Exclude<RunMode, 'scan'>;
export const COPY_MODES: readonly CopyMode[] = ['full', 'delta', 'structure', 'retry'];

/**
 * Launches; INSUFFICIENT_CREDITS becomes the shortfall card (the launcher's answer, in the
 * channel); null when the answer is given.
 */
async function launchOrShortfall(ctx: ChatContext, { engine, actor }: TurnDeps, project: string, mode: CopyMode, options?: RunOptions): Promise<RunInfo | null> {
  try {
    return await engine.launchRun(actor, { project, mode, ...(options ? { options } : {}) });
  } catch (error) {
    const need = AppError.is(error, 'INSUFFICIENT_CREDITS') ? creditNeedOf(error.details) : null;
    if (!need) throw error;
    const name = await engine.getProject(actor, project).then((p) => p.name, () => project);
    await ctx.reply(presentShortfall(need, name, actor.orgId));
    return null;
  }
}

/**
 * Queues the run, posts its living card and files it under `run:<id>` so the notifier edits that
 * card instead of posting another. A full run that needs credits waits for an approver: its
 * approval card is posted instead, and the run card appears once it is approved.
 * Shared by `/migrate launch` and the "Retry failed" button.
 */
export async function launchAndPost(ctx: ChatContext, deps: TurnDeps, project: string, mode: CopyMode, options?: RunOptions): Promise<void> {
  const { engine } = deps;
  // Microsoft 365 users to create: their usage location and license are asked first (run.create_missing launches).
  if (mode === 'full' && !options && (await askCreateMissing(ctx, deps, project))) return;
  const run = await launchOrShortfall(ctx, deps, project, mode, options);
  if (!run) return;
  if (run.hold && run.status === 'pending_approval') {
    await postApprovalCard(ctx, engine, run.hold);
    return;
  }
  const detail = await engine.getRun(run.id);
  const ref = await ctx.reply(presentRun(detail));
  const subject = cardSubject(run.id);
  await engine.saveCard({ subject, channelKey: ctx.channel.key, messageRef: ref.channelKey === ctx.channel.key ? ref.messageId : encodeCardRef(ref) });
  // Launched from another channel than the project's: the notifier looks the card up under the run's channel.
  if (run.channelKey && run.channelKey !== ctx.channel.key) {
    await engine.saveCard({ subject, channelKey: run.channelKey, messageRef: encodeCardRef(ref) });
  }
}

export const launchCommand: Command = {
  name: 'launch',
  usage: 'launch <project> [full|delta|structure|retry]',
  description: 'Start a migration run (full by default; delta copies what changed, structure only folders, retry only what failed). One card shows its progress.',
  roles: ['admin'],
  async run(ctx, args, deps) {
    if (args.length < 1 || args.length > 2) throw usageError(this, '“launch” takes a project name and, optionally, a mode.');
    const [project, rawMode = 'full'] = args as [string, string?];
    const mode = rawMode.toLowerCase() as CopyMode;
    if (!COPY_MODES.includes(mode)) throw usageError(this, `“${rawMode.slice(0, 20)}” is not a run mode: use full, delta, structure or retry.`);
    await launchAndPost(ctx, deps, project, mode);
  },
};
