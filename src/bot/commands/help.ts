import type { Command } from './types.js';
import { presentHelp } from '../presenters/help.js';

export const helpCommand: Command = {
  name: 'help',
  usage: 'help',
  description: 'What you can ask me.',
  roles: 'anyone',
  async run(ctx) {
    // Imported lazily: the registry imports this file.
    const { commandList } = await import('./index.js');
    await ctx.reply(presentHelp(commandList));
  },
};
