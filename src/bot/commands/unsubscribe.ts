import type { Command } from './types.js';
import { usageError } from './types.js';

export const unsubscribeCommand: Command = {
  name: 'unsubscribe',
  usage: 'unsubscribe <project>',
  description: 'Stop following a project in this channel.',
  roles: ['admin'],
  async run(ctx, args, { engine, actor }) {
    if (args.length !== 1) throw usageError(this, '“unsubscribe” takes one project name.');
    const [project] = args as [string];
    await engine.unsubscribe(actor, { project, channelKey: ctx.channel.key });
    await ctx.reply({ kind: 'notice', tone: 'info', title: `This channel no longer follows ${project}`, text: `Follow it again with: subscribe ${project}` });
  },
};
