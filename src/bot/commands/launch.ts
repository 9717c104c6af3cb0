import type { RunMode } from '../../engine/index.js';
import type { ChatContext } from '../context.js';
import type { Command, TurnDeps } from './types.js';
import { usageError } from './types.js';
import { presentRun } from '../presenters/run.js';
import { cardSubject, encodeCardRef } from '../notifier.js';

export type CopyMode = Exclude<RunMode, 'scan'>;
export const COPY_MODES: readonly CopyMode[] = ['full', 'delta', 'structure', 'retry'];

/**
 * Queues the run, posts its living card and files it under `run:<id>` so the notifier edits that
 * card instead of posting another. Shared by `/migrate launch` and the "Retry failed" button.
 */
export async function launchAndPost(ctx: ChatContext, { engine, actor }: TurnDeps, project: string, mode: CopyMode): Promise<void> {
  const run = await engine.launchRun(actor, { project, mode });
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
