import type { Command } from './types.js';
import { usageError } from './types.js';
import { LOG_PAGE_SIZE, presentMailboxLog } from '../presenters/mailbox.js';

export const logCommand: Command = {
  name: 'log',
  usage: 'log <mailbox address> [page]',
  description: 'The chronological event log of one mailbox, a page at a time (only you see it).',
  roles: ['admin', 'helpdesk', 'approver'],
  async run(ctx, args, { engine, actor }) {
    const [address, rawPage] = args;
    if (!address || args.length > 2 || !address.includes('@')) throw usageError(this, '“log” takes a mailbox address and, optionally, a page number.');
    const page = rawPage === undefined ? 1 : Number(rawPage);
    if (!Number.isInteger(page) || page < 1) throw usageError(this, `“${rawPage?.slice(0, 20)}” is not a page number.`);
    await ctx.replyPrivately(presentMailboxLog(await engine.mailboxLog(actor, { address, page, pageSize: LOG_PAGE_SIZE })));
  },
};
