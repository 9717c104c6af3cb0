/**
 * Ends a hold: whatever was reserved and not consumed goes back to available (a `release` entry,
 * or `expire` for a hold nobody decided). Runs in the caller's transaction; a hold that already
 * ended is left alone, so every caller may call it again safely.
 *
 * Lock order everywhere in credits: run → mailbox runs → hold → account.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { creditHolds, mailboxRuns, runs } from '../db/schema.js';
import { postEntry, rowsOf } from './credit-ledger.js';
import type { HoldRow } from './hold-records.js';

export type HoldEnding = 'finished' | 'cancelled' | 'rejected' | 'expired';

export interface EndHoldProps {
  runId: string;
  ending: HoldEnding;
  at: Date;
  /** Who caused it (ledger actor; decided_by for a reject or an undecided cancel). */
  actor: { id: string; name: string };
  /** The outcome sentence from what was consumed and released. */
  outcome: (consumed: number, released: number) => string;
}

export interface EndedHold { hold: HoldRow; wasPending: boolean; released: number }

/** Locks the run's hold; null when it has none. */
export async function lockHoldOfRun(tx: DbOrTx, runId: string): Promise<HoldRow | null> {
  const [row] = rowsOf<{ id: string }>(await tx.execute(sql`select id from credit_holds where run_id = ${runId} for update`));
  if (!row) return null;
  const [hold] = await tx.select().from(creditHolds).where(eq(creditHolds.id, row.id));
  return hold ?? null;
}

export async function endHold(tx: DbOrTx, props: EndHoldProps): Promise<EndedHold | null> {
  const hold = await lockHoldOfRun(tx, props.runId);
  if (!hold || !['pending_approval', 'held'].includes(hold.status)) return null;
  const wasPending = hold.status === 'pending_approval';
  const remainder = hold.amount - hold.consumed - hold.released;
  const [project] = rowsOf<{ name: string }>(await tx.execute(sql`select name from projects where id = ${hold.projectId}`));
  if (remainder > 0) {
    await postEntry(tx, {
      orgId: hold.orgId, kind: props.ending === 'expired' ? 'expire' : 'release', amount: 0, heldDelta: -remainder, holdId: hold.id,
      runId: hold.runId, projectId: hold.projectId, projectName: project?.name ?? null, actor: props.actor.id, at: props.at,
      reason: props.outcome(hold.consumed, hold.released + remainder),
    });
  }
  const status = props.ending === 'rejected' ? 'rejected' : props.ending === 'expired' ? 'expired' : hold.consumed > 0 ? 'consumed' : 'released';
  const decided = wasPending && props.ending !== 'finished'
    ? { decidedBy: props.actor.id, decidedByName: props.actor.name, decidedAt: props.at } : {};
  const [ended] = await tx.update(creditHolds).set({ status, released: hold.released + remainder, outcome: props.outcome(hold.consumed, hold.released + remainder), ...decided })
    .where(eq(creditHolds.id, hold.id)).returning();
  return ended ? { hold: ended, wasPending, released: remainder } : null;
}

/** Cancels a run that never started (rejected or expired hold): the run and its pending mailbox runs. */
export async function cancelPendingRun(tx: DbOrTx, runId: string, reason: string, at: Date): Promise<boolean> {
  const [run] = await tx.update(runs).set({ status: 'cancelled', finishedAt: at, error: reason })
    .where(and(eq(runs.id, runId), inArray(runs.status, ['pending_approval', 'queued']))).returning({ id: runs.id });
  if (!run) return false;
  await tx.update(mailboxRuns).set({ status: 'cancelled', finishedAt: at }).where(and(eq(mailboxRuns.runId, runId), eq(mailboxRuns.status, 'pending')));
  return true;
}

/** Locks the run row (first in the lock order). */
export async function lockRun(tx: DbOrTx, runId: string): Promise<{ id: string; status: string } | null> {
  const [row] = rowsOf<{ id: string; status: string }>(await tx.execute(sql`select id, status from runs where id = ${runId} for update`));
  return row ?? null;
}
