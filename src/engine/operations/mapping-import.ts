import { eq } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Actor } from '../api.js';
import type { EngineContext } from '../context.js';
import { mailboxes, mappings } from '../db/schema.js';
import { parseCsv } from '../migrate/csv.js';
import { destinationsOf, planChange, type MappingChange } from '../migrate/mapping-change.js';
import { writeAudit } from '../policies/audit-writer.js';
import { ADMIN_ONLY, authorize } from '../policies/roles.js';
import { findProject } from './project-lookup.js';

function changeFor(status: string, destination: string): MappingChange | string {
  switch (status) {
    case 'matched': return destination ? { type: 'override', destinationAddress: destination } : 'status matched needs a destination_address';
    case 'excluded': return { type: 'exclude' };
    case 'create_missing': return { type: 'create_missing', destinationAddress: destination || undefined };
    case 'needs_review': return { type: 'include' };
    default: return `unknown status "${status}" (use matched, needs_review, excluded or create_missing)`;
  }
}

/** All or nothing: every line is checked first; one bad line and nothing is applied. */
export async function importMappingCsv(ctx: EngineContext, actor: Actor, props: { project: string; csv: string }): Promise<{ applied: number; unchanged: number }> {
  const project = await findProject(ctx.db, actor.orgId, props.project);
  await authorize(ctx, actor, ADMIN_ONLY, 'mapping.import', project.id);
  const rows = parseCsv(props.csv);
  const header = rows.shift()?.fields.map((h) => h.trim().toLowerCase()) ?? [];
  const col = (name: string) => header.indexOf(name);
  if (col('source_address') < 0 || col('status') < 0) {
    throw new AppError('BAD_INPUT', 'The CSV needs a header line with at least source_address, destination_address and status (export the mapping to get one).');
  }
  return ctx.db.transaction(async (tx) => {
    const destinations = await destinationsOf(tx, project);
    const current = await tx.select().from(mappings).innerJoin(mailboxes, eq(mappings.sourceMailboxId, mailboxes.id)).where(eq(mappings.projectId, project.id));
    const errors: { line: number; message: string }[] = [];
    const plans: { id: string; values: ReturnType<typeof planChange> }[] = [];
    const seen = new Set<string>();
    let unchanged = 0;
    for (const row of rows) {
      const get = (name: string) => (col(name) >= 0 ? (row.fields[col(name)] ?? '').trim() : '');
      const source = get('source_address').toLowerCase();
      const found = current.find((c) => c.mailboxes.address.toLowerCase() === source);
      if (!found) { errors.push({ line: row.line, message: `no source mailbox ${source || '(empty)'}` }); continue; }
      if (seen.has(source)) { errors.push({ line: row.line, message: `${source} appears twice` }); continue; }
      seen.add(source);
      const change = changeFor(get('status').toLowerCase(), get('destination_address'));
      if (typeof change === 'string') { errors.push({ line: row.line, message: change }); continue; }
      try {
        const values = planChange(found.mappings, found.mailboxes, destinations, project, change, actor.userId);
        const same = values.status === found.mappings.status && (values.destinationAddress ?? '') === (found.mappings.destinationAddress ?? '');
        if (same) unchanged++; else plans.push({ id: found.mappings.id, values });
      } catch (error) {
        errors.push({ line: row.line, message: AppError.is(error) ? error.userMessage : String(error) });
      }
    }
    if (errors.length > 0) {
      const shown = errors.slice(0, 5).map((e) => `line ${e.line}: ${e.message}`).join('; ');
      throw new AppError('BAD_INPUT', `Nothing was imported: ${errors.length} line${errors.length === 1 ? ' is' : 's are'} wrong (${shown}${errors.length > 5 ? '; …' : ''}). Fix the CSV and import it again.`, { details: { errors } });
    }
    for (const plan of plans) await tx.update(mappings).set({ ...plan.values, updatedAt: ctx.now() }).where(eq(mappings.id, plan.id));
    await writeAudit(tx, actor, { action: 'mapping.import', outcome: 'allowed', projectId: project.id, detail: { applied: plans.length, unchanged } });
    return { applied: plans.length, unchanged };
  });
}
