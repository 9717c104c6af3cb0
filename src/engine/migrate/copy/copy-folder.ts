/**
 * One pass over one source folder: pages of changes from the cursor, ledger dedupe, flag changes,
 * and the page's writes (copy-window.ts), which store the cursor once the page is done.
 */
import type { ChangeRef, FolderInfo } from '../../connectors/types.js';
import { runBounded } from '../bounded-pool.js';
import { ledgered, ledgerTargets } from './copy-ledger.js';
import { throttled, type CopySession } from './copy-session.js';
import { copyKeys, pipelineWidth } from './copy-window.js';

export { Cancelled, copyKeys } from './copy-window.js';

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
    if (s.halted) throw s.halted.error;
    const page = await throttled(s, 'source', () => s.source.listChanges(s.sourceRef, from, cursor, s.signal));
    const upserts = [...new Set(page.changes.filter((c) => c.kind === 'upsert').map((c) => c.key))];
    const known = s.freshLedger ? new Set<string>() : await ledgered(s.ctx.db, s.mappingId, from.key, upserts);
    await applyFlags(s, from, to, page.changes.filter((c) => c.kind === 'flags'));
    const todo = upserts.filter((k) => !known.has(k));
    // Nothing new and the same cursor (a quiet folder in a delta): nothing to record.
    const unchanged = todo.length === 0 && page.changes.length === 0 && page.cursor === cursor;
    // After a reset (new UIDVALIDITY) keys are new but the items may not be: probe every one.
    const sizes = new Map(page.changes.flatMap((c) => (c.size === undefined ? [] : [[c.key, c.size] as const])));
    await copyKeys(s, from, to, todo, page.reset === true, unchanged ? undefined : page.cursor, sizes);
    cursor = page.cursor;
    if (!page.more) return;
  }
}
