/**
 * Reserves credits for a full run at launch: the account row is locked, available re-checked, and
 * the hold and its `hold` ledger entry written in the launch's transaction, so concurrent launches
 * of one org reserve one after another and never over-commit.
 */
import { AppError } from '../../errors.js';
import type { Actor, CreditLine, CreditNeed, CreditPolicy } from '../api.js';
import type { DbOrTx } from '../db/client.js';
import { creditHolds } from '../db/schema.js';
import { newId } from '../ids.js';
import { credits, lockAccount, postEntry } from './credit-ledger.js';
import type { HoldRow } from './hold-records.js';

export function insufficient(projectName: string, orgId: string, need: CreditNeed): AppError {
  return new AppError('INSUFFICIENT_CREDITS',
    `A full run of ${projectName} needs ${credits(need.need)} but only ${need.available} ${need.available === 1 ? 'is' : 'are'} available (short by ${need.shortfall}). `
    + `Nothing was held or queued. Ask an admin to add credits (\`npm run cli -- credits grant --org ${orgId} --amount ${need.shortfall} --reason "…"\`), then launch again.`,
    { details: need as unknown as Record<string, unknown> });
}

/** Locks the org's account and checks the need against available: INSUFFICIENT_CREDITS (rolls the launch back) when short. */
export async function reserveOrRefuse(tx: DbOrTx, props: { orgId: string; projectName: string; need: number; lines: CreditLine[] }): Promise<number> {
  const account = await lockAccount(tx, props.orgId);
  const available = account.balance - account.held;
  if (available < props.need) {
    throw insufficient(props.projectName, props.orgId, { need: props.need, available, shortfall: props.need - available, lines: props.lines });
  }
  return available;
}

export interface HoldProps {
  orgId: string;
  projectId: string;
  projectName: string;
  runId: string;
  actor: Actor;
  need: number;
  available: number;
  lines: CreditLine[];
  policy: CreditPolicy;
  now: Date;
}

/** The hold (pending_approval) and its ledger entry; the account must be locked by reserveOrRefuse in this transaction. */
export async function createHold(tx: DbOrTx, p: HoldProps): Promise<HoldRow> {
  const id = newId('hold');
  const [hold] = await tx.insert(creditHolds).values({
    id, orgId: p.orgId, projectId: p.projectId, runId: p.runId, status: 'pending_approval', amount: p.need,
    availableBefore: p.available, availableAfter: p.available - p.need, requestedBy: p.actor.userId, requestedByName: p.actor.userName || p.actor.userId,
    expiresAt: new Date(p.now.getTime() + p.policy.holdTtlHours * 3600_000), lines: p.lines, createdAt: p.now,
  }).returning();
  if (!hold) throw new Error('insert returned no hold');
  await postEntry(tx, {
    orgId: p.orgId, kind: 'hold', amount: 0, heldDelta: p.need, holdId: id, runId: p.runId, projectId: p.projectId, projectName: p.projectName,
    actor: p.actor.userId, at: p.now, reason: `${credits(p.need)} held for a full run of ${p.projectName}, waiting for approval`,
  });
  return hold;
}
