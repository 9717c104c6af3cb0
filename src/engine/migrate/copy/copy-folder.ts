/**
 * One pass over one source folder: pages of changes from the cursor, ledger dedupe, batches of
 * writes (intents first, one transaction after), flag changes, and the cursor once a page is done.
 */
import type { ChangeRef, FolderInfo } from '../../connectors/types.js';
import { runBounded } from '../bounded-pool.js';
import { progressEvent } from './copy-events.js';
import { copyItem } from './copy-item.js';
import { declareIntents, ledgered, ledgerTargets, recordBatch, type FolderPair, type ItemOutcome } from './copy-ledger.js';
import { throttled, type CopySession } from './copy-session.js';

export const BATCH_SIZE = 50;

export class Cancelled extends Error {
  constructor() {
    super('the mailbox run is no longer running');
  }
}

export function pipelineWidth(s: CopySession): number {
  return Math.max(1, Math.min(s.source.limits.concurrencyPerMailbox, s.destination.limits.concurrencyPerMailbox));
}

/**
 * Runs the batch with the pipeline width; after a mailbox-level failure no new item starts, and the
 * error is rethrown only once every item in flight has settled (none writes after the attempt ended).
 */
async function settleBatch(s: CopySession, batch: string[], copy: (key: string) => Promise<ItemOutcome>): Promise<ItemOutcome[]> {
  const outcomes: ItemOutcome[] = [];
  let failure: { error: unknown } | null = null;
  await runBounded(batch, pipelineWidth(s), async (key) => {
    if (failure) return;
    try {
      outcomes.push(await copy(key));
    } catch (error) {
      failure ??= { error };
    }
  });
  if (failure) throw (failure as { error: unknown }).error;
  return outcomes;
}

/**
 * Writes `keys` in batches; each batch is durable before the next starts. `cursor`, when given, is
 * stored with the last batch (or alone when there are no keys): the page is then fully recorded.
 */
export async function copyKeys(s: CopySession, from: FolderInfo, to: FolderInfo, keys: string[], forceProbe: boolean, cursor?: string): Promise<void> {
  const pair: FolderPair = { source: from.key, destination: to.key };
  if (keys.length === 0 && cursor !== undefined && !(await recordBatch(s, pair, [], cursor))) throw new Cancelled();
  for (let i = 0; i < keys.length; i += BATCH_SIZE) {
    s.signal.throwIfAborted();
    const batch = keys.slice(i, i + BATCH_SIZE);
    const earlier = await declareIntents(s.ctx.db, s.mappingId, from.key, batch);
    const outcomes = await settleBatch(s, batch, (key) => copyItem(s, from, to, key, forceProbe || earlier.has(key)));
    const last = i + BATCH_SIZE >= keys.length;
    if (!(await recordBatch(s, pair, outcomes, last ? cursor : undefined))) throw new Cancelled();
    await progressEvent(s.ctx, s.run);
  }
}

async function applyFlags(s: CopySession, from: FolderInfo, to: FolderInfo, changes: ChangeRef[]): Promise<void> {
  const update = s.destination.updateFlags?.bind(s.destination);
  if (!update || changes.length === 0) return;
  const targets = await ledgerTargets(s.ctx.db, s.mappingId, from.key, changes.map((c) => c.key));
  await runBounded(changes.filter((c) => targets.has(c.key) && c.flags), pipelineWidth(s), async (change) => {
    await throttled(s, 'destination', () => update(s.destinationRef, to, targets.get(change.key)!, change.flags ?? [], s.signal));
  });
}

/** Full and delta: everything after the cursor that the ledger does not hold yet. */
export async function copyFolder(s: CopySession, from: FolderInfo, to: FolderInfo): Promise<void> {
  const stored = s.cursors.get(from.key);
  // A full run lists from the start (the ledger skips what is there) unless it resumes its own pass.
  let cursor = (s.mode === 'delta' || stored?.runId === s.run.runId) ? (stored?.cursor ?? undefined) : undefined;
  for (;;) {
    s.signal.throwIfAborted();
    const page = await throttled(s, 'source', () => s.source.listChanges(s.sourceRef, from, cursor, s.signal));
    const upserts = [...new Set(page.changes.filter((c) => c.kind === 'upsert').map((c) => c.key))];
    const known = s.freshLedger ? new Set<string>() : await ledgered(s.ctx.db, s.mappingId, from.key, upserts);
    await applyFlags(s, from, to, page.changes.filter((c) => c.kind === 'flags'));
    const todo = upserts.filter((k) => !known.has(k));
    // Nothing new and the same cursor (a quiet folder in a delta): nothing to record.
    const unchanged = todo.length === 0 && page.changes.length === 0 && page.cursor === cursor;
    // After a reset (new UIDVALIDITY) keys are new but the items may not be: probe every one.
    await copyKeys(s, from, to, todo, page.reset === true, unchanged ? undefined : page.cursor);
    cursor = page.cursor;
    if (!page.more) return;
  }
}
