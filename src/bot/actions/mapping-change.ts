import type { ChatContext } from '../context.js';
import type { TurnDeps } from '../commands/types.js';
import type { Engine } from '../../engine/index.js';
import { presentMatchReview, mappingChangeNotice } from '../presenters/match-review.js';

type Change = Parameters<Engine['updateMapping']>[1]['change'];

/**
 * Applies one row change and answers with the same page and filter re-rendered, so the card the
 * admin clicked updates in place with a line saying what changed and by whom.
 */
export async function changeMapping(
  ctx: ChatContext,
  { engine, actor }: TurnDeps,
  props: { projectId: string; mappingId: string; filter: 'needs_review' | 'all'; page: number; change: Change },
): Promise<void> {
  const mapping = await engine.updateMapping(actor, { project: props.projectId, mappingId: props.mappingId, change: props.change });
  let review = await engine.getMatchReview(actor, { project: props.projectId, filter: props.filter, page: props.page });
  // The change may have emptied the last page of "needs review": step back rather than show nothing.
  if (review.rows.length === 0 && review.page > 0) {
    review = await engine.getMatchReview(actor, { project: props.projectId, filter: props.filter, page: Math.max(0, Math.ceil(review.total / Math.max(1, review.pageSize)) - 1) });
  }
  await ctx.respond(presentMatchReview(review, mappingChangeNotice(mapping, props.change.type, actor.userName)));
}
