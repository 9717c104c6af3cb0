import type { Command } from './types.js';
import { usageError } from './types.js';
import { openConnect } from './connect-m365.js';
import { presentProject } from '../presenters/project.js';

export const connectCommand: Command = {
  name: 'connect',
  usage: 'connect <project> [source|destination]',
  description: 'Give the credentials of a side; they are checked before anything is saved.',
  roles: ['admin'],
  async run(ctx, args, deps) {
    const { engine, actor } = deps;
    const [name, sideWord, ...rest] = args;
    if (!name || rest.length) throw usageError(this, '“connect” takes a project and optionally a side.');
    const side = sideWord?.toLowerCase();
    if (side !== undefined && side !== 'source' && side !== 'destination') {
      throw usageError(this, `“${sideWord}” is not a side; say source or destination.`);
    }
    const project = await engine.getProject(actor, name);
    const platforms = engine.platforms();
    if (!side) {
      await ctx.reply(presentProject(project, platforms));
      return;
    }
    await openConnect(ctx, deps, project, side);
  },
};
