import { and, desc, eq } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { DbOrTx } from '../db/client.js';
import { mailboxes, mappings, projects, runs } from '../db/schema.js';
import { scannedMailboxes, suggest } from './match-suggester.js';

type MappingRow = typeof mappings.$inferSelect;
type MailboxRow = typeof mailboxes.$inferSelect;
type ProjectRow = typeof projects.$inferSelect;

export type MappingChange =
  | { type: 'override'; destinationAddress: string }
  | { type: 'exclude' }
  | { type: 'include' }
  | { type: 'create_missing'; destinationAddress?: string };

export const ADDRESS = /^[^\s@,"<>]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

/** The latest completed scan; matching needs one. */
export async function requireScan(db: DbOrTx, project: ProjectRow): Promise<typeof runs.$inferSelect> {
  const [run] = await db.select().from(runs)
    .where(and(eq(runs.projectId, project.id), eq(runs.mode, 'scan'), eq(runs.status, 'completed')))
    .orderBy(desc(runs.createdAt), desc(runs.id)).limit(1);
  if (!run) throw new AppError('NOT_SCANNED', `${project.name} has not been scanned yet. Scan it first (\`scan ${project.name}\` in chat, or \`npm run cli -- project scan ${project.name} --wait\`); matching uses what the scan found.`);
  return run;
}

/** The values a change writes (not yet written); BAD_INPUT with a sentence when it cannot apply. */
export function planChange(row: MappingRow, source: MailboxRow, destinations: MailboxRow[], project: ProjectRow, change: MappingChange, by: string) {
  const byAddress = (a: string) => destinations.find((d) => d.address.toLowerCase() === a.trim().toLowerCase());
  switch (change.type) {
    case 'override': {
      const dest = byAddress(change.destinationAddress);
      if (!dest) {
        throw new AppError('BAD_INPUT', `The destination has no mailbox ${change.destinationAddress.trim()}. Pick one the scan found, or flag ${source.address} as "create missing".`, { details: { field: 'destinationAddress' } });
      }
      return { destinationMailboxId: dest.id, destinationAddress: dest.address, status: 'matched' as const, confidence: 1, reason: 'chosen by a person', changedBy: by };
    }
    case 'exclude':
      return { destinationMailboxId: row.destinationMailboxId, destinationAddress: row.destinationAddress, status: 'excluded' as const, confidence: 1, reason: 'excluded by a person', changedBy: by };
    case 'include':
      return { ...suggest(source, destinations, project.domainMap), changedBy: 'auto' };
    case 'create_missing': {
      const address = (change.destinationAddress ?? row.destinationAddress ?? '').trim().toLowerCase();
      if (!ADDRESS.test(address)) {
        throw new AppError('BAD_INPUT', `"${address}" is not an e-mail address to create. Give the address the new mailbox should have, like name@example.com.`, { details: { field: 'destinationAddress' } });
      }
      if (byAddress(address)) {
        throw new AppError('BAD_INPUT', `The destination already has ${address}; map ${source.address} to it instead of creating it.`, { details: { field: 'destinationAddress' } });
      }
      return { destinationMailboxId: null, destinationAddress: address, status: 'create_missing' as const, confidence: 1, reason: 'to be created', changedBy: by };
    }
  }
}

export async function destinationsOf(db: DbOrTx, project: ProjectRow): Promise<MailboxRow[]> {
  const scan = await requireScan(db, project);
  return scannedMailboxes(db, project.id, scan.id, 'destination');
}
