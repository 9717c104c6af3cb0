import type { Actor, Engine, HoldInfo, Role } from '../engine/index.js';
import type { ChatContext, MessageRef } from './context.js';
import { presentApproval, holdSubject } from './presenters/approval.js';
import { presentRun } from './presenters/run.js';
import { cardSubject, encodeCardRef } from './notifier.js';

/**
 * The approval card of a credit hold: posted instead of the run card when a full run needs
 * credits, filed under `hold:<id>` so that any process (the CLI, the 24 h expiry) can turn it to
 * its decided state through the notifier.
 */

const DECIDERS: readonly Role[] = ['admin', 'approver'];

/** Whether this person may approve this hold now; the engine decides again on the click. */
export async function mayDecide(engine: Pick<Engine, 'rolesOf'>, actor: Actor, hold: HoldInfo): Promise<boolean> {
  if (hold.status !== 'pending_approval') return false;
  if (!hold.selfApproval && hold.requestedBy === actor.userId) return false;
  const roles = await engine.rolesOf(actor).catch(() => [] as Role[]);
  return roles.some((r) => DECIDERS.includes(r));
}

/** Files a card we just posted under `subject`, for this channel and (if different) the project's. */
export async function fileCard(engine: Pick<Engine, 'saveCard'>, subject: string, ctx: ChatContext, ref: MessageRef, projectChannelKey: string): Promise<void> {
  await engine.saveCard({ subject, channelKey: ctx.channel.key, messageRef: ref.channelKey === ctx.channel.key ? ref.messageId : encodeCardRef(ref) });
  if (projectChannelKey && projectChannelKey !== ctx.channel.key) {
    await engine.saveCard({ subject, channelKey: projectChannelKey, messageRef: encodeCardRef(ref) });
  }
}

/**
 * Posts the approval card for everyone in the channel, with its buttons: the engine re-checks every click and refuses
 * a non-approver privately. Teams clients that refresh (refresh.userIds) show non-approvers a read-only view instead;
 * clients that do not (the Agents Playground, a channel past 60 approvers) still get working buttons for approvers.
 */
export async function postApprovalCard(ctx: ChatContext, engine: Pick<Engine, 'saveCard'>, hold: HoldInfo): Promise<void> {
  const ref = await ctx.reply(presentApproval(hold, { platform: ctx.platform, canDecide: true }));
  await fileCard(engine, holdSubject(hold.id), ctx, ref, hold.channelKey);
}

/** Once approved the run starts: its living card appears now, filed under `run:<id>` for the notifier. */
export async function postRunCard(ctx: ChatContext, engine: Pick<Engine, 'getRun' | 'saveCard' | 'findCard'>, runId: string, projectChannelKey: string): Promise<void> {
  if (await engine.findCard(cardSubject(runId), projectChannelKey)) return;
  const detail = await engine.getRun(runId);
  const ref = await ctx.reply(presentRun(detail));
  await fileCard(engine, cardSubject(runId), ctx, ref, projectChannelKey);
}
