import type { ChatContext } from '../context.js';
import type { Command, TurnDeps } from './types.js';
import { usageError } from './types.js';
import { presentScan } from '../presenters/scan.js';
import { cardSubject, encodeCardRef } from '../notifier.js';

/**
 * Queues the scan, posts its living card and stores where it is so the notifier edits that card
 * instead of posting another. Shared by `/migrate scan` and the Scan button.
 */
export async function startScanAndPost(ctx: ChatContext, { engine, actor }: TurnDeps, project: string): Promise<void> {
  const run = await engine.startScan(actor, { project });
  const detail = await engine.getRun(run.id);
  const ref = await ctx.reply(presentScan(detail));
  const subject = cardSubject(run.id);
  const messageRef = ref.channelKey === ctx.channel.key ? ref.messageId : encodeCardRef(ref);
  await engine.saveCard({ subject, channelKey: ctx.channel.key, messageRef });
  // Asked from another channel than the project's: the notifier looks the card up under the
  // run's channel, so leave a pointer there too (the ref carries the real channel).
  if (run.channelKey && run.channelKey !== ctx.channel.key) {
    await engine.saveCard({ subject, channelKey: run.channelKey, messageRef: encodeCardRef(ref) });
  }
}

export const scanCommand: Command = {
  name: 'scan',
  usage: 'scan <project>',
  description: 'Count mailboxes, folders and items on both sides (free, changes nothing); one card fills in as it goes.',
  roles: ['admin'],
  async run(ctx, args, deps) {
    if (args.length !== 1) throw usageError(this, '“scan” takes one project name.');
    await startScanAndPost(ctx, deps, args[0] as string);
  },
};
