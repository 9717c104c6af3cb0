import type { Command } from './types.js';
import { usageError } from './types.js';

export const cancelCommand: Command = {
  name: 'cancel',
  usage: 'cancel <project>',
  description: 'Cancel the active run: waiting mailboxes never start, running ones stop after the current item.',
  roles: ['admin'],
  async run(ctx, args, { engine, actor }) {
    if (args.length !== 1) throw usageError(this, '“cancel” takes one project name.');
    const run = await engine.cancelRun(actor, { project: args[0] as string });
    // The run card itself turns to "cancelled" through the notifier; this only confirms to the asker.
    await ctx.replyPrivately({ kind: 'notice', tone: 'warning', title: `Cancelled the ${run.mode} run of ${run.projectName}`, text: 'Items already copied stay at the destination; a retry or delta run picks up from here.' });
  },
};
