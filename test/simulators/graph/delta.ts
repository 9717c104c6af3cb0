/**
 * Per-folder message delta: a chain of links (`$skiptoken` pages, then a `$deltatoken`), where using a
 * link makes every older link of its chain stale (410 SyncStateNotFound), as Exchange does
 * (microsoftgraph/microsoft-graph-docs#2162). Rounds report items whose change sequence passed the
 * previous round's high-water mark, and removals as `{id, "@removed":{reason:"deleted"}}`.
 */
import { randomBytes } from 'node:crypto';
import { graphError, json, notFound, preferredPageSize, select, type SimResponse } from './http.js';
import { renderMessage } from './messages.js';
import type { Route, RouteContext } from './router.js';
import { findFolder, type SimState } from './state.js';
import type { Json, SimMailbox } from './types.js';

interface LinkState {
  chain: { usedGeneration: number };
  generation: number;
  userId: string;
  folderId: string;
  /** High-water mark of the round this link belongs to (next round starts above it). */
  upto: number;
  /** Ids of the round, in order, and where the next page starts (skip links). */
  ids: string[];
  offset: number;
  kind: 'skip' | 'delta';
  select: string | null;
}

interface DeltaStore {
  links: Map<string, LinkState>;
}

const stores = new WeakMap<SimState, DeltaStore>();

function store(state: SimState): DeltaStore {
  let s = stores.get(state);
  if (!s) {
    s = { links: new Map() };
    stores.set(state, s);
  }
  return s;
}

/** Every issued link becomes stale (the harness's expireDeltaTokens). */
export function expireDeltaLinks(state: SimState): void {
  store(state).links.clear();
}

export const deltaRoutes: Route[] = [{ method: 'GET', scope: 'mailbox', pattern: /^\/mailFolders\/([^/]+)\/messages\/delta$/, handler: delta }];

function delta(c: RouteContext): SimResponse {
  const box = c.user.mailbox;
  const folder = findFolder(box, decodeURIComponent(c.params[0]!));
  if (!folder) return notFound('The specified folder could not be found in the store.');
  const token = c.req.query.get('$skiptoken') ?? c.req.query.get('$deltatoken');
  let link: LinkState;
  if (token === null) {
    link = { chain: { usedGeneration: 0 }, generation: 0, userId: c.user.id, folderId: folder.id, upto: 0, ids: [], offset: 0, kind: 'delta', select: c.req.query.get('$select') };
  } else {
    const found = store(c.state).links.get(token);
    if (!found || found.userId !== c.user.id || found.folderId !== folder.id || found.generation < found.chain.usedGeneration) {
      c.state.stats.gone410++;
      return graphError(410, 'SyncStateNotFound', 'The sync state generation is not found. Please restart the sync.');
    }
    link = found;
    link.chain.usedGeneration = Math.max(link.chain.usedGeneration, link.generation);
  }
  const round = link.kind === 'delta' ? { ids: roundIds(box, folder.id, link.upto, token === null), upto: box.seq, offset: 0 } : { ids: link.ids, upto: link.upto, offset: link.offset };
  const size = preferredPageSize(c.req, 10, 1000);
  const slice = round.ids.slice(round.offset, round.offset + size);
  const query = new URLSearchParams(link.select ? { $select: link.select } : {});
  const value = slice.map((id) => renderItem(box, folder.id, id, query));
  const next: LinkState = { ...link, generation: link.generation + 1, ids: round.ids, upto: round.upto, offset: round.offset + size, kind: round.offset + size < round.ids.length ? 'skip' : 'delta' };
  const id = randomBytes(12).toString('base64url');
  store(c.state).links.set(id, next);
  const base = `${c.state.origin}/v1.0/users/${c.user.id}/mailFolders/${folder.id}/messages/delta`;
  const body: Json = { value };
  if (next.kind === 'skip') body['@odata.nextLink'] = `${base}?$skiptoken=${id}`;
  else body['@odata.deltaLink'] = `${base}?$deltatoken=${id}`;
  return json(200, body, { 'Preference-Applied': `odata.maxpagesize=${size}` });
}

/** Changed items above `since` (by change order), then removals; the first round reports no removals. */
function roundIds(box: SimMailbox, folderId: string, since: number, initial: boolean): string[] {
  const changed = [...box.messages.values()].filter((m) => m.folderId === folderId && m.seq > since).sort((a, b) => a.seq - b.seq).map((m) => m.id);
  if (initial) return changed;
  const present = new Set(changed);
  const removed = [...box.removed.entries()]
    .filter(([id, r]) => r.folderId === folderId && r.seq > since && !present.has(id) && box.messages.get(id)?.folderId !== folderId)
    .map(([id]) => id);
  return [...changed, ...removed];
}

function renderItem(box: SimMailbox, folderId: string, id: string, query: URLSearchParams): Json {
  const m = box.messages.get(id);
  if (m && m.folderId === folderId) return select(renderMessage(m), query);
  return { '@odata.type': '#microsoft.graph.message', id, '@removed': { reason: 'deleted' } };
}
