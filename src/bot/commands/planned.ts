import type { Command } from './types.js';

/** Commands DESIGN §4 announces whose engine parts come with credits and subscriptions. */
const planned: { name: string; usage: string; description: string; arrives: string }[] = [
  { name: 'credits', usage: 'credits', description: 'Balance, holds and licenses.', arrives: 'credits' },
  { name: 'approvals', usage: 'approvals', description: 'Holds waiting for an approver.', arrives: 'credits' },
  { name: 'subscribe', usage: 'subscribe <project> [progress|health|credits]', description: 'Get run updates here.', arrives: 'run subscriptions' },
  { name: 'unsubscribe', usage: 'unsubscribe <project>', description: 'Stop run updates here.', arrives: 'run subscriptions' },
];

export const plannedCommands: Command[] = planned.map((p) => ({
  name: p.name,
  usage: p.usage,
  description: p.description,
  roles: 'anyone',
  planned: true,
  async run(ctx) {
    await ctx.replyPrivately({
      kind: 'notice',
      tone: 'info',
      title: `“${p.name}” is coming`,
      text: `${p.description} It arrives with ${p.arrives} in the next release. Today you can create, connect, scan, match, launch and follow runs: /migrate help.`,
    });
  },
}));
