/**
 * The one way credits move: postEntry updates the account row (which locks it) and appends the
 * ledger entry with the balance after it, in the caller's transaction. The table checks keep
 * balance, held and available non-negative; a violation rolls the whole transaction back.
 */
import { sql } from 'drizzle-orm';
import type { LedgerKind } from '../api.js';
import type { DbOrTx } from '../db/client.js';

/** Rows of a raw query, whichever driver answered (PGlite and node-postgres both give { rows }). */
export function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? (Array.isArray(result) ? result : [])) as T[];
}

export interface Account { balance: number; held: number; consumed: number }

export interface EntryProps {
  orgId: string;
  kind: LedgerKind;
  /** Effect on the balance. */
  amount: number;
  /** Effect on held credits. */
  heldDelta: number;
  holdId?: string | null;
  runId?: string | null;
  projectId?: string | null;
  projectName?: string | null;
  actor: string;
  reason: string;
  at: Date;
}

/** Creates the org's account at zero if it has none (orgs are created on first sight; accounts on first need). */
export async function ensureAccount(db: DbOrTx, orgId: string): Promise<void> {
  await db.execute(sql`insert into credit_accounts (org_id) values (${orgId}) on conflict do nothing`);
}

/** Locks the account row until the transaction ends: launches of one org reserve credits one after another. */
export async function lockAccount(tx: DbOrTx, orgId: string): Promise<Account> {
  await ensureAccount(tx, orgId);
  const [row] = rowsOf<Account>(await tx.execute(sql`select balance, held, consumed from credit_accounts where org_id = ${orgId} for update`));
  return row ?? { balance: 0, held: 0, consumed: 0 };
}

export async function readAccount(db: DbOrTx, orgId: string): Promise<Account> {
  const [row] = rowsOf<Account>(await db.execute(sql`select balance, held, consumed from credit_accounts where org_id = ${orgId}`));
  return row ?? { balance: 0, held: 0, consumed: 0 };
}

/** Applies one entry to the account and records it; returns the balance after it. */
export async function postEntry(tx: DbOrTx, e: EntryProps): Promise<number> {
  await ensureAccount(tx, e.orgId);
  const consumed = e.kind === 'consume' ? -e.amount : 0;
  const [after] = rowsOf<{ balance: number }>(await tx.execute(sql`update credit_accounts
    set balance = balance + ${e.amount}, held = held + ${e.heldDelta}, consumed = consumed + ${consumed}, updated_at = ${e.at}
    where org_id = ${e.orgId} returning balance`));
  const balance = Number(after?.balance ?? 0);
  await tx.execute(sql`insert into credit_ledger (org_id, kind, amount, held_delta, balance_after, hold_id, run_id, project_id, project_name, actor, reason, at)
    values (${e.orgId}, ${e.kind}, ${e.amount}, ${e.heldDelta}, ${balance}, ${e.holdId ?? null}, ${e.runId ?? null}, ${e.projectId ?? null},
      ${e.projectName ?? null}, ${e.actor}, ${e.reason}, ${e.at})`);
  return balance;
}

/** n credit(s), for sentences. */
export function credits(n: number): string {
  return `${n} credit${n === 1 ? '' : 's'}`;
}
