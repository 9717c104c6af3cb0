/**
 * Credits and licensing operations (DESIGN §5): reads, grants, the policy, holds. The rules live
 * in engine/credits/; these check who may do what and put the pieces together.
 */
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Actor, CreditNeed, CreditPolicy, CreditsInfo, HoldInfo, HoldStatus, LedgerEntryInfo } from '../api.js';
import type { EngineContext } from '../context.js';
import { computeNeed } from '../credits/credit-need.js';
import { credits as creditWord, postEntry, readAccount } from '../credits/credit-ledger.js';
import { checkPolicy, readPolicy, writePolicy } from '../credits/credit-policy.js';
import { decideHold as decide } from '../credits/hold-approver.js';
import { expireHolds as expire } from '../credits/hold-expirer.js';
import { findHold, toHoldInfo } from '../credits/hold-records.js';
import { ledgerCsv, ledgerPage, licenseCounts } from '../credits/ledger-reads.js';
import { creditHolds } from '../db/schema.js';
import { writeAudit } from '../policies/audit-writer.js';
import { ADMIN_ONLY, ANY_ROLE, authorize } from '../policies/roles.js';
import { findProject } from './project-lookup.js';

const MAX_GRANT = 1_000_000;
const HOLD_STATUSES: readonly HoldStatus[] = ['pending_approval', 'held', 'consumed', 'released', 'rejected', 'expired'];

export async function creditNeed(ctx: EngineContext, actor: Actor, props: { project: string }): Promise<CreditNeed> {
  const project = await findProject(ctx.db, actor.orgId, props.project);
  await authorize(ctx, actor, ['admin', 'approver'], 'credits.need', project.id);
  const policy = await readPolicy(ctx.db, actor.orgId);
  const { need, lines } = await computeNeed(ctx.db, { orgId: actor.orgId, projectId: project.id, policy, now: ctx.now() });
  const account = await readAccount(ctx.db, actor.orgId);
  const available = account.balance - account.held;
  return { need, available, shortfall: Math.max(0, need - available), lines };
}

/** The numbers without an authorization check (the caller did it). */
export async function readCredits(ctx: EngineContext, orgId: string): Promise<CreditsInfo> {
  const account = await readAccount(ctx.db, orgId);
  const { valid, expiringSoon } = await licenseCounts(ctx.db, orgId, ctx.now());
  const [pending] = await ctx.db.select({ n: count() }).from(creditHolds).where(and(eq(creditHolds.orgId, orgId), eq(creditHolds.status, 'pending_approval')));
  return {
    orgId, balance: account.balance, available: account.balance - account.held, held: account.held, consumed: account.consumed,
    licenses: valid, expiringSoon, pendingHolds: pending?.n ?? 0, recent: await ledgerPage(ctx.db, orgId, { limit: 10 }), policy: await readPolicy(ctx.db, orgId),
  };
}

export async function creditsInfo(ctx: EngineContext, actor: Actor): Promise<CreditsInfo> {
  await authorize(ctx, actor, ANY_ROLE, 'credits.read');
  return readCredits(ctx, actor.orgId);
}

export async function grantCredits(ctx: EngineContext, actor: Actor, props: { amount: number; reason: string }): Promise<CreditsInfo> {
  await authorize(ctx, actor, ADMIN_ONLY, 'credits.grant');
  const amount = props.amount;
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0 || amount > MAX_GRANT) {
    throw new AppError('BAD_INPUT', `The amount must be a whole number from 1 to ${MAX_GRANT.toLocaleString('en-US')}, not "${String(amount)}".`);
  }
  const reason = (props.reason ?? '').trim();
  if (!reason) throw new AppError('BAD_INPUT', 'Give a reason for the grant (for example the order number); it goes into the ledger.');
  if (reason.length > 500) throw new AppError('BAD_INPUT', 'Keep the reason under 500 characters.');
  const name = actor.userName || actor.userId;
  await ctx.db.transaction(async (tx) => {
    await postEntry(tx, { orgId: actor.orgId, kind: 'grant', amount, heldDelta: 0, actor: actor.userId, reason, at: ctx.now() });
    await writeAudit(tx, actor, { action: 'credits.grant', outcome: 'allowed', detail: { amount, reason } });
  });
  await ctx.publish({ type: 'credits.changed', runId: '', projectId: '', channelKey: '', orgId: actor.orgId, note: `${creditWord(amount)} granted by ${name}: ${reason}` });
  return readCredits(ctx, actor.orgId);
}

export async function ledger(ctx: EngineContext, actor: Actor, props?: { limit?: number; before?: number }): Promise<LedgerEntryInfo[]> {
  await authorize(ctx, actor, ANY_ROLE, 'credits.ledger');
  return ledgerPage(ctx.db, actor.orgId, props);
}

export async function exportLedgerCsv(ctx: EngineContext, actor: Actor): Promise<string> {
  await authorize(ctx, actor, ['admin', 'approver'], 'credits.export');
  return ledgerCsv(ctx.db, actor.orgId);
}

export async function setCreditPolicy(ctx: EngineContext, actor: Actor, policy: Partial<CreditPolicy>): Promise<CreditPolicy> {
  await authorize(ctx, actor, ADMIN_ONLY, 'credits.policy');
  const change = checkPolicy(policy ?? {});
  const result = await ctx.db.transaction(async (tx) => {
    const next = await writePolicy(tx, actor.orgId, change);
    await writeAudit(tx, actor, { action: 'credits.policy', outcome: 'allowed', detail: { change } });
    return next;
  });
  return result;
}

export async function getHold(ctx: EngineContext, actor: Actor, holdId: string): Promise<HoldInfo> {
  await authorize(ctx, actor, ANY_ROLE, 'hold.read');
  return toHoldInfo(ctx, await findHold(ctx.db, actor.orgId, holdId));
}

export async function listHolds(ctx: EngineContext, actor: Actor, props?: { status?: HoldStatus[] }): Promise<HoldInfo[]> {
  await authorize(ctx, actor, ANY_ROLE, 'hold.list');
  const statuses = props?.status?.length ? props.status : ['pending_approval' as const];
  const wrong = statuses.find((s) => !HOLD_STATUSES.includes(s));
  if (wrong) throw new AppError('BAD_INPUT', `"${wrong}" is not a hold status; statuses are ${HOLD_STATUSES.join(', ')}.`);
  const rows = await ctx.db.select().from(creditHolds).where(and(eq(creditHolds.orgId, actor.orgId), inArray(creditHolds.status, statuses)))
    .orderBy(asc(creditHolds.createdAt), asc(creditHolds.id)).limit(200);
  const out: HoldInfo[] = [];
  for (const row of rows) out.push(await toHoldInfo(ctx, row));
  return out;
}

export async function decideHold(ctx: EngineContext, actor: Actor, props: { holdId: string; decision: 'approve' | 'reject' }): Promise<HoldInfo> {
  return decide(ctx, actor, props);
}

export async function expireHolds(ctx: EngineContext): Promise<number> {
  return expire(ctx);
}
