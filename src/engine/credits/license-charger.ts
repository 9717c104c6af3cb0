/**
 * Consumption (DESIGN §5): a full run's mailbox pays for its license when its FIRST item is
 * recorded, inside the transaction that records it. The recording path is hot, so a session asks
 * at most once (the WeakSet), and the database decides once per mailbox run (charged_at set by a
 * guarded UPDATE) and once per org and identity (the licenses unique key): a re-run job or a
 * second process never consumes twice.
 */
import { eq, sql } from 'drizzle-orm';
import type { RunMode } from '../api.js';
import type { DbOrTx } from '../db/client.js';
import { creditHolds } from '../db/schema.js';
import { newId } from '../ids.js';
import { credits, postEntry, rowsOf } from './credit-ledger.js';
import { readPolicy } from './credit-policy.js';
import { costOf, identityOf, licenseExpiry } from './license-policy.js';
import { lockHoldOfRun } from './hold-releaser.js';

export interface ChargeSession {
  mode: Exclude<RunMode, 'scan'>;
  mailboxRunId: string;
  run: { runId: string };
}

/** Sessions that already asked: later batches skip the lookup entirely. */
const asked = new WeakSet<ChargeSession>();

interface SourceRow { mailbox_id: string; external_id: string; kind: string; address: string; project_id: string; project_name: string }

/** Whether a recorded item of this session may still have to pay (a full run's first batch, not asked yet). */
export function mayCharge(s: ChargeSession): boolean {
  return s.mode === 'full' && !asked.has(s);
}

export async function chargeFirstItem(tx: DbOrTx, s: ChargeSession, now: Date): Promise<void> {
  if (s.mode !== 'full' || asked.has(s)) return;
  asked.add(s);
  const [source] = rowsOf<SourceRow>(await tx.execute(sql`update mailbox_runs mr set charged_at = ${now}
    from mailboxes m join projects p on p.id = m.project_id
    where mr.id = ${s.mailboxRunId} and mr.charged_at is null and m.id = mr.mailbox_id
    returning m.id as mailbox_id, m.external_id, m.kind, m.address, p.id as project_id, p.name as project_name`));
  if (!source) return;
  const hold = await lockHoldOfRun(tx, s.run.runId);
  // No hold: the run needed nothing (every mailbox licensed or free) when it was launched.
  if (!hold || hold.status !== 'held') return;
  const policy = await readPolicy(tx, hold.orgId);
  const { credits: cost } = costOf(source, policy, undefined);
  if (cost <= 0 || hold.amount - hold.consumed - hold.released < cost) return;
  const identity = identityOf({ externalId: source.external_id, kind: source.kind }, source.project_id);
  // Inserted, or an expired license renewed in place; nothing returned = a valid license exists (another run paid).
  const licensed = rowsOf<{ id: string }>(await tx.execute(sql`insert into licenses (id, org_id, identity, kind, source_address, project_id, project_name, run_id, credits, consumed_at, expires_at)
    values (${newId('lic')}, ${hold.orgId}, ${identity}, ${source.kind}, ${source.address}, ${source.project_id}, ${source.project_name}, ${s.run.runId}, ${cost}, ${now},
      ${licenseExpiry(now, policy.licenseMonths)})
    on conflict (org_id, identity) do update set kind = excluded.kind, source_address = excluded.source_address, project_id = excluded.project_id,
      project_name = excluded.project_name, run_id = excluded.run_id, credits = excluded.credits, consumed_at = excluded.consumed_at, expires_at = excluded.expires_at
    where licenses.expires_at <= ${now}
    returning id`));
  if (licensed.length === 0) return;
  await postEntry(tx, {
    orgId: hold.orgId, kind: 'consume', amount: -cost, heldDelta: -cost, holdId: hold.id, runId: s.run.runId, projectId: source.project_id,
    projectName: source.project_name, actor: 'system', at: now, reason: `${credits(cost)} consumed: license for ${source.address}${source.kind === 'user' ? '' : ` (${source.kind})`}`,
  });
  await tx.update(creditHolds).set({ consumed: hold.consumed + cost }).where(eq(creditHolds.id, hold.id));
}
