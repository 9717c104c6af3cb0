import { and, eq, inArray, sql } from 'drizzle-orm';
import type { MappingStatus } from '../api.js';
import type { DbOrTx } from '../db/client.js';
import { mailboxes, mappings, projects } from '../db/schema.js';
import { newId } from '../ids.js';

type MailboxRow = typeof mailboxes.$inferSelect;

export interface Suggestion {
  destinationMailboxId: string | null;
  destinationAddress: string | null;
  status: MappingStatus;
  confidence: number;
  reason: string;
}

const localOf = (address: string) => address.slice(0, address.lastIndexOf('@')).toLowerCase();
const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** The destination domain most destination mailboxes use; where missing mailboxes get created. */
export function mainDomain(destinations: MailboxRow[]): string | null {
  const tally = new Map<string, number>();
  for (const d of destinations) tally.set(domainOf(d.address), (tally.get(domainOf(d.address)) ?? 0) + 1);
  return [...tally.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
}

/** Destinations indexed by address, local part and display name: suggesting for 10,000 sources stays linear. */
export class DestinationIndex {
  readonly byAddress = new Map<string, MailboxRow>();
  readonly byLocal = new Map<string, MailboxRow[]>();
  readonly byName = new Map<string, MailboxRow[]>();
  readonly domain: string | null;

  constructor(readonly all: MailboxRow[]) {
    const push = (map: Map<string, MailboxRow[]>, key: string, row: MailboxRow) => map.set(key, [...(map.get(key) ?? []), row]);
    for (const d of all) {
      this.byAddress.set(d.address.toLowerCase(), d);
      push(this.byLocal, localOf(d.address), d);
      const name = d.displayName.trim().toLowerCase();
      if (name) push(this.byName, name, d);
    }
    this.domain = mainDomain(all);
  }
}

/** The best guess for one source mailbox, strongest evidence first. */
export function suggest(source: MailboxRow, destinations: MailboxRow[] | DestinationIndex, domainMap: Record<string, string>): Suggestion {
  const index = destinations instanceof DestinationIndex ? destinations : new DestinationIndex(destinations);
  const address = source.address.toLowerCase();
  const pick = (d: MailboxRow, status: MappingStatus, confidence: number, reason: string): Suggestion =>
    ({ destinationMailboxId: d.id, destinationAddress: d.address, status, confidence, reason });
  const exact = index.byAddress.get(address);
  if (exact) return pick(exact, 'matched', 1, 'same address');
  const local = localOf(address);
  const mappedDomain = domainMap[domainOf(address)];
  if (mappedDomain) {
    const mapped = index.byAddress.get(`${local}@${mappedDomain.toLowerCase()}`);
    if (mapped) return pick(mapped, 'matched', 0.9, `same name under ${domainOf(address)} → ${mappedDomain}`);
  }
  const sameLocal = index.byLocal.get(local) ?? [];
  if (sameLocal.length === 1 && sameLocal[0]) return pick(sameLocal[0], 'matched', 0.9, 'same name, other domain');
  if (sameLocal.length > 1) return { destinationMailboxId: null, destinationAddress: null, status: 'needs_review', confidence: 0.5, reason: `ambiguous: ${sameLocal.length} candidates` };
  const name = source.displayName.trim().toLowerCase();
  const sameName = name ? index.byName.get(name) ?? [] : [];
  if (sameName.length === 1 && sameName[0]) return pick(sameName[0], 'needs_review', 0.7, 'same display name');
  if (sameName.length > 1) return { destinationMailboxId: null, destinationAddress: null, status: 'needs_review', confidence: 0.5, reason: `ambiguous: ${sameName.length} candidates` };
  const domain = mappedDomain ?? index.domain;
  return { destinationMailboxId: null, destinationAddress: domain ? `${local}@${domain}` : null, status: 'needs_review', confidence: 0, reason: 'no destination mailbox' };
}

/** Destination addresses worth offering for a source, best first (same name, same display name, the rest). */
export function candidatesFor(source: MailboxRow, destinations: MailboxRow[], limit = 100): string[] {
  const local = localOf(source.address);
  const name = source.displayName.trim().toLowerCase();
  const score = (d: MailboxRow) => (localOf(d.address) === local ? 0 : d.displayName.trim().toLowerCase() === name ? 1 : 2);
  return [...destinations].sort((a, b) => score(a) - score(b) || a.address.localeCompare(b.address)).slice(0, limit).map((d) => d.address);
}

export async function scannedMailboxes(db: DbOrTx, projectId: string, runId: string, side: 'source' | 'destination'): Promise<MailboxRow[]> {
  return db.select().from(mailboxes).where(and(eq(mailboxes.projectId, projectId), eq(mailboxes.side, side), eq(mailboxes.lastScanRunId, runId)));
}

/**
 * Builds or refreshes the mappings after scan `runId`. Decisions by people (changedBy ≠ auto)
 * are kept as they are; automatic ones are recomputed; automatic ones for mailboxes the scan no
 * longer saw are dropped.
 */
export async function suggestMappings(db: DbOrTx, project: typeof projects.$inferSelect, runId: string): Promise<void> {
  const sources = await scannedMailboxes(db, project.id, runId, 'source');
  const destinations = await scannedMailboxes(db, project.id, runId, 'destination');
  const existing = await db.select().from(mappings).where(eq(mappings.projectId, project.id));
  const bySource = new Map(existing.map((m) => [m.sourceMailboxId, m]));
  const seen = new Set(sources.map((s) => s.id));
  const gone = existing.filter((m) => m.changedBy === 'auto' && !seen.has(m.sourceMailboxId)).map((m) => m.id);
  if (gone.length > 0) await db.delete(mappings).where(and(inArray(mappings.id, gone), eq(mappings.changedBy, 'auto')));
  const index = new DestinationIndex(destinations);
  const inserts: { id: string; source: string; dest: string | null; address: string | null; status: string; confidence: number; reason: string }[] = [];
  for (const source of sources) {
    const current = bySource.get(source.id);
    if (current && current.changedBy !== 'auto') continue;
    const s = suggest(source, index, project.domainMap);
    if (!current) inserts.push({ id: newId('map'), source: source.id, dest: s.destinationMailboxId, address: s.destinationAddress, status: s.status, confidence: s.confidence, reason: s.reason });
    else if (current.status !== s.status || current.destinationMailboxId !== s.destinationMailboxId || current.destinationAddress !== s.destinationAddress
      || current.reason !== s.reason || Math.abs(current.confidence - s.confidence) > 1e-6) {
      await db.update(mappings).set({ ...s, updatedAt: new Date() }).where(and(eq(mappings.id, current.id), eq(mappings.changedBy, 'auto')));
    }
  }
  for (let i = 0; i < inserts.length; i += 2000) {
    await db.execute(sql`
      insert into mappings (id, project_id, source_mailbox_id, destination_mailbox_id, destination_address, status, confidence, reason, changed_by)
      select t.id, ${project.id}, t.source, t.dest, t.address, t.status, t.confidence, t.reason, 'auto'
      from jsonb_to_recordset(${JSON.stringify(inserts.slice(i, i + 2000))}::jsonb)
        as t(id text, source text, dest text, address text, status text, confidence real, reason text)
      on conflict (project_id, source_mailbox_id) do nothing`);
  }
}
