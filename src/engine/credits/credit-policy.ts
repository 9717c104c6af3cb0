/**
 * An org's licensing rules (CreditPolicy of api.ts): the DESIGN §5 defaults, overridden per org by
 * orgs.credit_policy, with selfApproval kept in its own column (orgs.self_approval).
 */
import { eq } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { CreditPolicy } from '../api.js';
import type { DbOrTx } from '../db/client.js';
import { orgs } from '../db/schema.js';

export const DEFAULT_POLICY: CreditPolicy = {
  perMailbox: 1, resourceFree: true, publicFoldersCost: 25, licenseMonths: 12, holdTtlHours: 24, selfApproval: false,
};

/** Integer fields and their allowed ranges (a policy that makes a run cost nothing by accident is a typo). */
const RANGES: Record<'perMailbox' | 'publicFoldersCost' | 'licenseMonths' | 'holdTtlHours', [number, number]> = {
  perMailbox: [0, 1000], publicFoldersCost: [0, 100_000], licenseMonths: [1, 120], holdTtlHours: [1, 24 * 30],
};

export async function readPolicy(db: DbOrTx, orgId: string): Promise<CreditPolicy> {
  const [org] = await db.select({ policy: orgs.creditPolicy, selfApproval: orgs.selfApproval }).from(orgs).where(eq(orgs.id, orgId));
  return { ...DEFAULT_POLICY, ...(org?.policy ?? {}), selfApproval: org?.selfApproval ?? false } as CreditPolicy;
}

/** The changed fields, checked; BAD_INPUT names the field and its range. */
export function checkPolicy(change: Partial<CreditPolicy>): Partial<CreditPolicy> {
  const out: Partial<CreditPolicy> = {};
  for (const [key, value] of Object.entries(change) as [keyof CreditPolicy, unknown][]) {
    if (value === undefined) continue;
    if (key === 'resourceFree' || key === 'selfApproval') {
      if (typeof value !== 'boolean') throw new AppError('BAD_INPUT', `${key} is true or false, not "${String(value)}".`);
      out[key] = value;
      continue;
    }
    const range = RANGES[key];
    if (!range) throw new AppError('BAD_INPUT', `"${key}" is not a credit policy setting; settings are ${Object.keys(DEFAULT_POLICY).join(', ')}.`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < range[0] || value > range[1]) {
      throw new AppError('BAD_INPUT', `${key} must be a whole number from ${range[0]} to ${range[1]}, not "${String(value)}".`);
    }
    out[key] = value;
  }
  return out;
}

/** Stores the change (selfApproval in its column, the rest merged into credit_policy); returns the policy now in force. */
export async function writePolicy(db: DbOrTx, orgId: string, change: Partial<CreditPolicy>): Promise<CreditPolicy> {
  const current = await readPolicy(db, orgId);
  const { selfApproval, ...rest } = { ...current, ...change };
  const stored: Record<string, number | boolean> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (value !== DEFAULT_POLICY[key as keyof CreditPolicy]) stored[key] = value;
  }
  await db.update(orgs).set({ creditPolicy: stored, selfApproval }).where(eq(orgs.id, orgId));
  return readPolicy(db, orgId);
}
