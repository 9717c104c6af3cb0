import type { Action } from './types.js';
import { presentHelp } from '../presenters/help.js';
import { commandList } from '../commands/index.js';

export const helpAction: Action<'help'> = {
  name: 'help',
  description: 'Show the help card.',
  roles: 'anyone',
  async run(ctx) {
    await ctx.respond(presentHelp(commandList));
  },
};
