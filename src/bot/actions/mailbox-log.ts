import type { Action } from './types.js';
import { LOG_PAGE_SIZE, presentMailboxLog } from '../presenters/mailbox.js';

export const mailboxLogAction: Action<'mailbox.log'> = {
  name: 'mailbox.log',
  description: 'Show a page of a mailbox’s event log in place of the clicked card (private cards stay private).',
  roles: ['admin', 'helpdesk', 'approver'],
  async run(ctx, { address, page, projectId }, { engine, actor }) {
    // Cards count pages from 0, the engine from 1.
    const log = await engine.mailboxLog(actor, { address, page: page + 1, pageSize: LOG_PAGE_SIZE, ...(projectId ? { project: projectId } : {}) });
    await ctx.respond(presentMailboxLog(log));
  },
};
