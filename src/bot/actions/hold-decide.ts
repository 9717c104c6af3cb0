import type { HoldInfo } from '../../engine/index.js';
import { AppError } from '../../errors.js';
import type { ChatContext } from '../context.js';
import type { TurnDeps } from '../commands/types.js';
import { postRunCard } from '../hold-card.js';
import { presentApproval } from '../presenters/approval.js';
import { presentError } from '../presenters/error.js';

function holdOf(details: Record<string, unknown> | undefined): HoldInfo | null {
  const hold = details?.hold as HoldInfo | undefined;
  return hold && typeof hold.id === 'string' && Array.isArray(hold.lines) ? hold : null;
}

/**
 * Approve or reject from the card. The engine checks the role (and self-approval) and audits;
 * a refusal or a lost race is told to the clicker alone, and the card shows the real state.
 */
export async function decideFromCard(ctx: ChatContext, deps: TurnDeps, holdId: string, decision: 'approve' | 'reject'): Promise<void> {
  const { engine, actor } = deps;
  let hold: HoldInfo;
  try {
    hold = await engine.decideHold(actor, { holdId, decision });
  } catch (error) {
    const winner = AppError.is(error, 'CONFLICT') ? holdOf(error.details) : null;
    if (winner) {
      const card = presentApproval(winner, { platform: ctx.platform, canDecide: false });
      // Name who decided first even when the engine's sentence is about how the hold ended.
      const first = card.decision ? `${card.decision.headline}. ` : '';
      await ctx.replyPrivately({ kind: 'notice', tone: 'warning', title: 'Already decided', text: `${first}${error instanceof AppError ? error.userMessage : ''}` });
      await ctx.respond(card);
      return;
    }
    // A missing role goes to the dispatcher's refusal card; "not your own hold" is a sentence.
    if (AppError.is(error, 'FORBIDDEN') && !Array.isArray(error.details?.allowedRoles)) {
      await ctx.replyPrivately(presentError(error));
      return;
    }
    throw error;
  }
  await ctx.respond(presentApproval(hold, { platform: ctx.platform, canDecide: false }));
  // Approved from the project's channel: the run card follows the approval card there. From
  // elsewhere (the approvals list in a DM) the notifier posts it in the project's channel.
  if (decision === 'approve' && ctx.channel.key === hold.channelKey) await postRunCard(ctx, engine, hold.runId, hold.channelKey);
}
