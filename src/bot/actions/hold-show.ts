import type { ChatContext } from '../context.js';
import type { TurnDeps } from '../commands/types.js';
import { mayDecide } from '../hold-card.js';
import { presentApproval } from '../presenters/approval.js';

/**
 * The approval card as this person may see it, replacing the clicked card. Teams answers the
 * refresh invoke this way: approvers get Approve / Reject, everyone else the read-only card.
 * Slack has one message for everyone, so the buttons stay and the engine re-checks each click.
 */
export async function showHold(ctx: ChatContext, { engine, actor }: TurnDeps, holdId: string, page: number): Promise<void> {
  const hold = await engine.getHold(actor, holdId);
  const canDecide = ctx.platform === 'slack' ? hold.status === 'pending_approval' : await mayDecide(engine, actor, hold);
  await ctx.respond(presentApproval(hold, { platform: ctx.platform, canDecide, page }));
}
