import { asc, eq } from 'drizzle-orm';
import type { Actor } from '../api.js';
import type { EngineContext } from '../context.js';
import { mailboxes, mappings } from '../db/schema.js';
import { csvLine } from '../migrate/csv.js';
import { requireScan } from '../migrate/mapping-change.js';
import { ANY_ROLE, authorize } from '../policies/roles.js';
import { findProject } from './project-lookup.js';

export const MAPPING_CSV_HEADER = ['source_address', 'destination_address', 'status', 'confidence', 'reason'];

export async function exportMappingCsv(ctx: EngineContext, actor: Actor, props: { project: string }): Promise<string> {
  const project = await findProject(ctx.db, actor.orgId, props.project);
  await authorize(ctx, actor, ANY_ROLE, 'mapping.export', project.id);
  await requireScan(ctx.db, project);
  const rows = await ctx.db.select().from(mappings).innerJoin(mailboxes, eq(mappings.sourceMailboxId, mailboxes.id))
    .where(eq(mappings.projectId, project.id)).orderBy(asc(mailboxes.address));
  const lines = rows.map((r) => csvLine([r.mailboxes.address, r.mappings.destinationAddress, r.mappings.status, Number(r.mappings.confidence.toFixed(2)), r.mappings.reason]));
  return `${[csvLine(MAPPING_CSV_HEADER), ...lines].join('\r\n')}\r\n`;
}
