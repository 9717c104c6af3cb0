import type { Command } from './types.js';
import { presentProjectList } from '../presenters/project-list.js';

export const projectsCommand: Command = {
  name: 'projects',
  usage: 'projects',
  description: 'List the migration projects of this workspace.',
  roles: ['admin', 'helpdesk', 'approver'],
  async run(ctx, _args, { engine, actor }) {
    const projects = await engine.listProjects(actor);
    await ctx.reply(presentProjectList(projects, engine.platforms()));
  },
};
