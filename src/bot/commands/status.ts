import type { Command } from './types.js';
import { usageError } from './types.js';
import { presentStatus } from '../presenters/status.js';
import { presentProjectList } from '../presenters/project-list.js';
import { presentMailboxStatus } from '../presenters/mailbox.js';

export const statusCommand: Command = {
  name: 'status',
  usage: 'status [<project> | <mailbox address>]',
  description: 'Where a project stands; or, for an address, that mailbox’s progress, health and ETA (only you see it).',
  roles: ['admin', 'helpdesk', 'approver'],
  async run(ctx, args, { engine, actor }) {
    if (args.length > 1) throw usageError(this, '“status” takes one project name.');
    const [name] = args;
    if (name?.includes('@')) {
      // A mailbox is one person's business: answer the asker only.
      await ctx.replyPrivately(presentMailboxStatus(await engine.mailboxStatus(actor, { address: name })));
      return;
    }
    const platforms = engine.platforms();
    if (!name) {
      await ctx.reply(presentProjectList(await engine.listProjects(actor), platforms));
      return;
    }
    const project = await engine.getProject(actor, name);
    const latest = await engine.latestRun(actor, { project: project.id });
    const runs = latest ? [latest] : project.lastScan ? [project.lastScan] : [];
    await ctx.reply(presentStatus(project, platforms, runs));
  },
};
