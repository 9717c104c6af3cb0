import { desc, eq } from 'drizzle-orm';
import type { Actor, AuditEntry } from '../api.js';
import type { DbOrTx } from '../db/client.js';
import { auditEvents } from '../db/schema.js';

export interface AuditProps {
  action: string;
  outcome: AuditEntry['outcome'];
  projectId?: string | null;
  detail?: Record<string, unknown>;
}

/** One audit row; callers pass their transaction so the record commits with the change it describes. */
export async function writeAudit(db: DbOrTx, actor: Actor, props: AuditProps): Promise<void> {
  await db.insert(auditEvents).values({
    orgId: actor.orgId, actor: actor.userId, action: props.action, outcome: props.outcome,
    projectId: props.projectId ?? null, detail: props.detail ?? {},
  });
}

export async function readAudit(db: DbOrTx, orgId: string, limit = 50): Promise<AuditEntry[]> {
  const rows = await db.select().from(auditEvents).where(eq(auditEvents.orgId, orgId)).orderBy(desc(auditEvents.id)).limit(limit);
  return rows.map((r) => ({
    actor: r.actor, action: r.action, outcome: r.outcome, projectId: r.projectId, detail: r.detail, at: r.at.toISOString(),
  }));
}
