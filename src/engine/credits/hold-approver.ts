/**
 * Approve or reject a hold. The run row and then the hold row are locked, so of any number of
 * concurrent decisions exactly one finds the hold pending; the others get CONFLICT naming the winner.
 * Jobs are queued only after the approval committed.
 */
import { and, eq } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Actor, HoldInfo } from '../api.js';
import type { EngineContext } from '../context.js';
import { creditHolds, mailboxRuns, runs } from '../db/schema.js';
import { writeAudit } from '../policies/audit-writer.js';
import { authorize } from '../policies/roles.js';
import { jobIdFor } from '../queues/jobs.js';
import { credits } from './credit-ledger.js';
import { readPolicy } from './credit-policy.js';
import { clock, findHold, toHoldInfo, type HoldRow } from './hold-records.js';
import { cancelPendingRun, endHold, lockHoldOfRun, lockRun } from './hold-releaser.js';

export type Decision = 'approve' | 'reject';

/** The CLI operator (`cli:<os user>`, platform admin) approves the holds it launches: it is the org's operator, not a requester asking a peer. */
function isCliOperator(actor: Actor): boolean {
  return actor.platformAdmin && actor.userId.startsWith('cli:');
}

/** "Megan Bowen already approved this hold at 09:12 UTC." and friends. */
export function decidedSentence(hold: HoldRow, now: Date): string {
  const who = hold.decidedByName ?? hold.decidedBy ?? 'someone';
  const when = hold.decidedAt ? ` at ${clock(hold.decidedAt, now)}` : '';
  switch (hold.status) {
    case 'held': return `${who} already approved this hold${when}.`;
    case 'rejected': return `${who} already rejected this hold${when}.`;
    case 'expired': return `This hold expired${when}: no decision within the time allowed. Launch the run again to ask anew.`;
    default: return `This hold has already ended: ${hold.outcome ?? hold.status}.`;
  }
}

async function checkSelfApproval(ctx: EngineContext, actor: Actor, hold: HoldRow, decision: Decision): Promise<void> {
  if (decision !== 'approve' || hold.requestedBy !== actor.userId || isCliOperator(actor)) return;
  const policy = await readPolicy(ctx.db, actor.orgId);
  if (policy.selfApproval) return;
  await writeAudit(ctx.db, actor, { action: 'hold.approve', outcome: 'denied', projectId: hold.projectId, detail: { holdId: hold.id, reason: 'own hold' } });
  throw new AppError('FORBIDDEN', 'You launched this run, so another approver or admin must approve its credits (this workspace does not allow approving your own hold).', {
    details: { holdId: hold.id },
  });
}

export async function decideHold(ctx: EngineContext, actor: Actor, props: { holdId: string; decision: Decision }): Promise<HoldInfo> {
  if (props.decision !== 'approve' && props.decision !== 'reject') throw new AppError('BAD_INPUT', `"${String(props.decision)}" is not a decision; approve or reject.`);
  const found = await findHold(ctx.db, actor.orgId, props.holdId);
  await authorize(ctx, actor, ['admin', 'approver'], `hold.${props.decision}`, found.projectId);
  // A hold already decided answers with who decided (CONFLICT below), whoever asks.
  if (found.status === 'pending_approval') await checkSelfApproval(ctx, actor, found, props.decision);
  const now = ctx.now();
  const name = actor.userName || actor.userId;
  const result = await ctx.db.transaction(async (tx) => {
    await lockRun(tx, found.runId);
    const hold = await lockHoldOfRun(tx, found.runId);
    if (!hold || hold.status !== 'pending_approval') return { conflict: hold ?? found };
    if (props.decision === 'approve') {
      await tx.update(creditHolds).set({ status: 'held', decidedBy: actor.userId, decidedByName: name, decidedAt: now }).where(eq(creditHolds.id, hold.id));
      await tx.update(runs).set({ status: 'queued' }).where(and(eq(runs.id, hold.runId), eq(runs.status, 'pending_approval')));
      const pending = await tx.select({ id: mailboxRuns.id }).from(mailboxRuns).where(and(eq(mailboxRuns.runId, hold.runId), eq(mailboxRuns.status, 'pending')));
      await writeAudit(tx, actor, { action: 'hold.approve', outcome: 'allowed', projectId: hold.projectId, detail: { holdId: hold.id, runId: hold.runId, amount: hold.amount } });
      return { pending };
    }
    await endHold(tx, { runId: hold.runId, ending: 'rejected', at: now, actor: { id: actor.userId, name }, outcome: () => `rejected by ${name}` });
    await cancelPendingRun(tx, hold.runId, `Credits rejected by ${name}.`, now);
    await writeAudit(tx, actor, { action: 'hold.reject', outcome: 'allowed', projectId: hold.projectId, detail: { holdId: hold.id, runId: hold.runId, amount: hold.amount } });
    return { pending: [] };
  });
  if (result.conflict) {
    const hold = await toHoldInfo(ctx, result.conflict);
    throw new AppError('CONFLICT', decidedSentence(result.conflict, now), { details: { hold } });
  }
  const pending = result.pending ?? [];
  const after = await toHoldInfo(ctx, await findHold(ctx.db, actor.orgId, found.id));
  const base = { runId: after.runId, projectId: after.projectId, channelKey: after.channelKey, orgId: after.orgId, holdId: after.id };
  if (props.decision === 'approve') {
    for (const r of pending) await ctx.enqueue('copy', { runId: after.runId, mailboxRunId: r.id }, jobIdFor('copy', { runId: after.runId, mailboxRunId: r.id }));
    if (pending.length === 0) await ctx.enqueue('finalize', { runId: after.runId }, jobIdFor('finalize', { runId: after.runId }));
    await ctx.publish({ type: 'hold.decided', ...base });
  } else {
    await ctx.publish({ type: 'hold.decided', ...base });
    await ctx.publish({ type: 'credits.changed', ...base, runId: '', note: `${credits(after.amount)} released: ${name} rejected the full run of ${after.projectName}.` });
    await ctx.publish({ type: 'run.finished', runId: after.runId, projectId: after.projectId, channelKey: after.channelKey });
  }
  return after;
}
