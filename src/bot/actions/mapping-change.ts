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
  // The card counts pages from 0, the engine from 1; a change that empties the last page of "needs review" lands on
  // the new last page (the engine clamps), never on an empty one.
  const review = await engine.getMatchReview(actor, { project: props.projectId, filter: props.filter, page: props.page + 1 });
  await ctx.respond(presentMatchReview(review, mappingChangeNotice(mapping, props.change.type, actor.userName)));
}
