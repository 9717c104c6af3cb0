import type { Action } from './types.js';
import { presentMatchReview } from '../presenters/match-review.js';

export const matchOpenAction: Action<'match.open'> = {
  name: 'match.open',
  description: 'Show (a page of) the match review.',
  roles: ['admin', 'helpdesk', 'approver'],
  async run(ctx, { projectId, filter, page }, { engine, actor }) {
    await ctx.respond(presentMatchReview(await engine.getMatchReview(actor, { project: projectId, filter, page: page + 1 })));
  },
};
