import type { Action } from './types.js';
import { presentConnectionForm } from '../presenters/forms.js';

export const connectOpenAction: Action<'connect.open'> = {
  name: 'connect.open',
  description: 'Open the credentials form of one side.',
  roles: ['admin'],
  async run(ctx, { projectId, side }, { engine, actor }) {
    const project = await engine.getProject(actor, projectId);
    const platform = side === 'source' ? project.sourcePlatform : project.destinationPlatform;
    await ctx.openForm(presentConnectionForm(project, side, engine.platforms(), engine.connectionForm(platform)));
  },
};
