import type { Command } from './types.js';
import { usageError } from './types.js';
import { presentStatus } from '../presenters/status.js';
import { presentProjectList } from '../presenters/project-list.js';

export const statusCommand: Command = {
  name: 'status',
  usage: 'status [<project>]',
  description: 'Where a project stands: connections, last scan, next step.',
  roles: ['admin', 'helpdesk', 'approver'],
  async run(ctx, args, { engine, actor }) {
    if (args.length > 1) throw usageError(this, '“status” takes one project name.');
    const platforms = engine.platforms();
    const [name] = args;
    if (!name) {
      await ctx.reply(presentProjectList(await engine.listProjects(actor), platforms));
      return;
    }
    if (name.includes('@')) {
      await ctx.reply({ kind: 'notice', tone: 'info', title: 'Mailbox status arrives with migration runs', text: `Per-mailbox status (${name}) comes with the next release. For now: /migrate status <project>.` });
      return;
    }
    const project = await engine.getProject(actor, name);
    const latest = await engine.latestRun(actor, { project: project.id });
    const runs = latest ? [latest] : project.lastScan ? [project.lastScan] : [];
    await ctx.reply(presentStatus(project, platforms, runs));
  },
};
