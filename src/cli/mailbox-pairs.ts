import type { Actor, Engine, MappingInfo, MatchReview } from '../engine/index.js';

/** Audit action under which `project create` records the CSV's source → destination pairs (addresses only). */
export const PAIRS_ACTION = 'cli.mailbox_pairs';
const AUDIT_DEPTH = 10_000;

interface Pair { source: string; destination: string }

/** The pairs `project create` recorded for this project, newest record first; [] when none. */
async function recordedPairs(engine: Engine, actor: Actor, projectId: string): Promise<Pair[]> {
  const entries = await engine.listAudit(actor.orgId, AUDIT_DEPTH);
  const entry = entries.find((e) => e.action === PAIRS_ACTION && e.projectId === projectId);
  const pairs = entry?.detail.pairs;
  return Array.isArray(pairs) ? (pairs as Pair[]).filter((p) => typeof p?.source === 'string' && typeof p?.destination === 'string') : [];
}

/** Every mapping row of the project (the review pages through them 100 at a time). */
export async function allMappings(engine: Engine, actor: Actor, project: string): Promise<{ review: MatchReview; rows: MappingInfo[] }> {
  const first = await engine.getMatchReview(actor, { project, filter: 'all', pageSize: 100, page: 1 });
  const rows = [...first.rows];
  const pages = Math.ceil(first.total / first.pageSize);
  for (let page = 2; page <= pages; page++) {
    rows.push(...(await engine.getMatchReview(actor, { project, filter: 'all', pageSize: 100, page })).rows);
  }
  return { review: first, rows };
}

/**
 * Applies the CSV's pairs to mappings still as suggested (`changedBy` auto): a decision a person
 * made since (in chat or by an earlier apply) is never overwritten. Returns how many changed.
 */
export async function applyPairs(engine: Engine, actor: Actor, projectId: string): Promise<number> {
  const pairs = await recordedPairs(engine, actor, projectId);
  if (pairs.length === 0) return 0;
  const { rows } = await allMappings(engine, actor, projectId);
  const lines = pairs.flatMap((pair) => {
    const row = rows.find((r) => r.source.address.toLowerCase() === pair.source);
    if (!row || row.changedBy !== 'auto') return [];
    if (row.status === 'matched' && row.destinationAddress?.toLowerCase() === pair.destination) return [];
    return [`${pair.source},${pair.destination},matched`];
  });
  if (lines.length === 0) return 0;
  const result = await engine.importMappingCsv(actor, { project: projectId, csv: ['source_address,destination_address,status', ...lines].join('\n') });
  return result.applied;
}
