import type { Action } from './types.js';
import { presentProject } from '../presenters/project.js';

export const projectShowAction: Action<'project.show'> = {
  name: 'project.show',
  description: 'Show a project card.',
  roles: ['admin', 'helpdesk', 'approver'],
  async run(ctx, { projectId }, { engine, actor }) {
    await ctx.respond(presentProject(await engine.getProject(actor, projectId), engine.platforms()));
  },
};
