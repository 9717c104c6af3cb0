import type { Command } from './types.js';
import { usageError } from './types.js';
import { presentApprovals } from '../presenters/approval.js';

export const approvalsCommand: Command = {
  name: 'approvals',
  usage: 'approvals',
  description: 'Full runs waiting for an approver, oldest first, each with a button to open its approval card (only you see it).',
  roles: ['admin', 'approver'],
  async run(ctx, args, { engine, actor }) {
    if (args.length) throw usageError(this, '“approvals” takes no arguments.');
    await ctx.replyPrivately(presentApprovals(await engine.listHolds(actor, { status: ['pending_approval'] })));
  },
};
