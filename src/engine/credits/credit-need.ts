/** What a full run of a project would cost now: its covered source mailboxes against the org's valid licenses. */
import { sql } from 'drizzle-orm';
import type { CreditLine, CreditPolicy } from '../api.js';
import { rowsOf } from './credit-ledger.js';
import type { DbOrTx } from '../db/client.js';
import { identityOf, needLines, type CoveredSource } from './license-policy.js';

/** Valid licenses (identity → expiry) of these identities at `now`. */
export async function validLicenses(db: DbOrTx, orgId: string, identities: string[], now: Date): Promise<Map<string, Date>> {
  if (identities.length === 0) return new Map();
  const rows = rowsOf<{ identity: string; expires_at: string | Date }>(await db.execute(sql`select identity, expires_at from licenses
    where org_id = ${orgId} and expires_at > ${now} and identity in (select jsonb_array_elements_text(${JSON.stringify(identities)}::jsonb))`));
  return new Map(rows.map((r) => [r.identity, new Date(r.expires_at)]));
}

/** Source mailboxes of the mappings a full run covers (matched and create_missing), by address. */
export async function coveredSources(db: DbOrTx, projectId: string): Promise<CoveredSource[]> {
  return rowsOf<CoveredSource>(await db.execute(sql`select m.id as "mailboxId", m.external_id as "externalId", m.address, m.kind
    from mappings p join mailboxes m on m.id = p.source_mailbox_id
    where p.project_id = ${projectId} and p.status in ('matched', 'create_missing') order by m.address`));
}

export async function computeNeed(db: DbOrTx, props: { orgId: string; projectId: string; policy: CreditPolicy; now: Date }): Promise<{ need: number; lines: CreditLine[] }> {
  const sources = await coveredSources(db, props.projectId);
  const licensed = await validLicenses(db, props.orgId, sources.map((s) => identityOf(s, props.projectId)), props.now);
  const lines = needLines(sources, props.projectId, props.policy, licensed);
  return { need: lines.reduce((n, l) => n + l.credits, 0), lines };
}
