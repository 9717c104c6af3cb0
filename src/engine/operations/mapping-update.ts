import { and, eq } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Actor, MappingInfo } from '../api.js';
import type { EngineContext } from '../context.js';
import { mailboxes, mappings } from '../db/schema.js';
import { destinationsOf, planChange, type MappingChange } from '../migrate/mapping-change.js';
import { candidatesFor } from '../migrate/match-suggester.js';
import { writeAudit } from '../policies/audit-writer.js';
import { ADMIN_ONLY, authorize } from '../policies/roles.js';
import { toMappingInfo } from '../records.js';
import { findProject } from './project-lookup.js';

export interface UpdateMappingProps { project: string; mappingId: string; change: MappingChange }

export async function updateMapping(ctx: EngineContext, actor: Actor, props: UpdateMappingProps): Promise<MappingInfo> {
  const project = await findProject(ctx.db, actor.orgId, props.project);
  await authorize(ctx, actor, ADMIN_ONLY, `mapping.${props.change.type}`, project.id);
  return ctx.db.transaction(async (tx) => {
    const [found] = await tx.select().from(mappings).innerJoin(mailboxes, eq(mappings.sourceMailboxId, mailboxes.id))
      .where(and(eq(mappings.id, props.mappingId), eq(mappings.projectId, project.id)));
    if (!found) throw new AppError('NOT_FOUND', `That mapping is no longer part of ${project.name}; open the match review again.`);
    const destinations = await destinationsOf(tx, project);
    const values = planChange(found.mappings, found.mailboxes, destinations, project, props.change, actor.userId);
    const [row] = await tx.update(mappings).set({ ...values, updatedAt: ctx.now() }).where(eq(mappings.id, props.mappingId)).returning();
    if (!row) throw new Error('update returned no row');
    await writeAudit(tx, actor, { action: `mapping.${props.change.type}`, outcome: 'allowed', projectId: project.id,
      detail: { source: found.mailboxes.address, destination: row.destinationAddress, status: row.status } });
    const dest = destinations.find((d) => d.id === row.destinationMailboxId) ?? null;
    return toMappingInfo(row, found.mailboxes, dest, candidatesFor(found.mailboxes, destinations));
  });
}
