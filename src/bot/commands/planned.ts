import type { Command } from './types.js';

/** Commands DESIGN §4 announces whose engine parts come with runs and credits. */
const planned: { name: string; usage: string; description: string; arrives: string }[] = [
  { name: 'launch', usage: 'launch <project> [full|delta|structure|retry]', description: 'Start a migration run.', arrives: 'migration runs' },
  { name: 'log', usage: 'log <mailbox address>', description: 'The event log of one mailbox.', arrives: 'migration runs' },
  { name: 'credits', usage: 'credits', description: 'Balance, holds and licenses.', arrives: 'credits' },
  { name: 'approvals', usage: 'approvals', description: 'Holds waiting for an approver.', arrives: 'credits' },
  { name: 'subscribe', usage: 'subscribe <project> [progress|health|credits]', description: 'Get run updates here.', arrives: 'migration runs' },
  { name: 'unsubscribe', usage: 'unsubscribe <project>', description: 'Stop run updates here.', arrives: 'migration runs' },
  { name: 'cancel', usage: 'cancel <project>', description: 'Cancel the active run.', arrives: 'migration runs' },
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
      text: `${p.description} It arrives with ${p.arrives} in the next release. Today you can create, connect, scan and match: /migrate help.`,
    });
  },
}));
