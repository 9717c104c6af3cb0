/** Reading the ledger and the licenses: pages for cards, CSV for accountants. */
import { and, asc, count, desc, eq, gt, lt, lte } from 'drizzle-orm';
import type { LedgerEntryInfo, LicenseInfo } from '../api.js';
import type { MailboxKind } from '../connectors/types.js';
import type { DbOrTx } from '../db/client.js';
import { creditLedger, licenses } from '../db/schema.js';

type LedgerRow = typeof creditLedger.$inferSelect;

export function toLedgerInfo(r: LedgerRow): LedgerEntryInfo {
  return {
    id: r.id, at: r.at.toISOString(), kind: r.kind, amount: r.amount, heldDelta: r.heldDelta, balanceAfter: r.balanceAfter,
    holdId: r.holdId, runId: r.runId, projectName: r.projectName, actor: r.actor, reason: r.reason,
  };
}

/** Newest first; `before` pages by id. */
export async function ledgerPage(db: DbOrTx, orgId: string, props: { limit?: number; before?: number } = {}): Promise<LedgerEntryInfo[]> {
  const limit = Math.min(Math.max(Math.trunc(props.limit ?? 50), 1), 500);
  const where = props.before ? and(eq(creditLedger.orgId, orgId), lt(creditLedger.id, props.before)) : eq(creditLedger.orgId, orgId);
  const rows = await db.select().from(creditLedger).where(where).orderBy(desc(creditLedger.id)).limit(limit);
  return rows.map(toLedgerInfo);
}

export const LEDGER_CSV_HEADER = 'id,at,kind,amount,held_delta,balance_after,hold_id,run_id,project,actor,reason';

/**
 * RFC 4180 quoting for commas, quotes and line breaks. Text that a spreadsheet would run as a
 * formula (= + - @ first) gets a leading apostrophe (OWASP's CSV-injection advice): reasons are typed by people.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text)) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

export async function ledgerCsv(db: DbOrTx, orgId: string): Promise<string> {
  const lines = [LEDGER_CSV_HEADER];
  let after = 0;
  for (;;) {
    const rows = await db.select().from(creditLedger).where(and(eq(creditLedger.orgId, orgId), gt(creditLedger.id, after))).orderBy(asc(creditLedger.id)).limit(1000);
    for (const r of rows) {
      lines.push([r.id, r.at.toISOString(), r.kind, r.amount, r.heldDelta, r.balanceAfter, r.holdId, r.runId, r.projectName, r.actor, r.reason].map(csvField).join(','));
    }
    if (rows.length < 1000) break;
    after = rows.at(-1)?.id ?? after;
  }
  return `${lines.join('\n')}\n`;
}

function toLicenseInfo(r: typeof licenses.$inferSelect): LicenseInfo {
  return { sourceAddress: r.sourceAddress, identity: r.identity, kind: r.kind as MailboxKind, projectName: r.projectName, consumedAt: r.consumedAt.toISOString(), expiresAt: r.expiresAt.toISOString() };
}

/** Valid licenses now, and those of them expiring within 30 days (≤ 20, soonest first). */
export async function licenseCounts(db: DbOrTx, orgId: string, now: Date): Promise<{ valid: number; expiringSoon: { total: number; licenses: LicenseInfo[] } }> {
  const soon = new Date(now.getTime() + 30 * 86_400_000);
  const [valid] = await db.select({ n: count() }).from(licenses).where(and(eq(licenses.orgId, orgId), gt(licenses.expiresAt, now)));
  const expiring = and(eq(licenses.orgId, orgId), gt(licenses.expiresAt, now), lte(licenses.expiresAt, soon));
  const [total] = await db.select({ n: count() }).from(licenses).where(expiring);
  const rows = await db.select().from(licenses).where(expiring).orderBy(asc(licenses.expiresAt)).limit(20);
  return { valid: valid?.n ?? 0, expiringSoon: { total: total?.n ?? 0, licenses: rows.map(toLicenseInfo) } };
}
