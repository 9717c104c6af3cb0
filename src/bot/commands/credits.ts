import type { Command } from './types.js';
import { usageError } from './types.js';
import { presentCredits } from '../presenters/credits.js';

export const creditsCommand: Command = {
  name: 'credits',
  usage: 'credits',
  description: 'The organisation’s credits: balance, available, held, consumed, licenses and the latest ledger entries (only you see it).',
  roles: ['admin', 'approver', 'helpdesk'],
  async run(ctx, args, { engine, actor }) {
    if (args.length) throw usageError(this, '“credits” takes no arguments.');
    // The org's money is nobody else's business in a shared channel.
    await ctx.replyPrivately(presentCredits(await engine.credits(actor), ctx.org.name));
  },
};
