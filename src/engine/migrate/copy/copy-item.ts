import { AppError, toAppError } from '../../../errors.js';
import type { FolderInfo, Item } from '../../connectors/types.js';
import { runBounded } from '../bounded-pool.js';
import type { ItemOutcome } from './copy-ledger.js';
import { isMailboxLevel, throttled, type CopySession } from './copy-session.js';

/** What reading one key gave: the item to write, or already its outcome (gone, failed, filtered). */
export type ReadResult = { item: Item } | { outcome: ItemOutcome };

const GONE = 'the item is no longer in the source folder (deleted or moved since it was listed); it is skipped';

function inRange(s: CopySession, item: Item): boolean {
  const { from, to } = s.options;
  if (from && item.date.getTime() < Date.parse(from)) return false;
  if (to && item.date.getTime() >= Date.parse(to)) return false;
  return true;
}

function itemFailure(s: CopySession, key: string, error: unknown): ItemOutcome {
  if (isMailboxLevel(error) || s.signal.aborted) throw error;
  return { key, status: 'failed', reason: toAppError(error).userMessage };
}

function accepted(s: CopySession, item: Item): ReadResult {
  return inRange(s, item) ? { item } : { outcome: { key: item.key, status: 'filtered' } };
}

/** Reads one key by itself; an item's own failure is its outcome, a mailbox-level one is thrown. */
async function readOne(s: CopySession, from: FolderInfo, key: string): Promise<ReadResult> {
  try {
    return accepted(s, await throttled(s, 'source', () => s.source.readItem(s.sourceRef, from, key, s.signal)));
  } catch (error) {
    return { outcome: itemFailure(s, key, error) };
  }
}

/**
 * Reads a chunk of keys: one batch request when the source has one (a key missing from its answer
 * is gone), else (or when the batch fails for an item-level reason) one request per key.
 */
export async function readChunk(s: CopySession, from: FolderInfo, keys: string[], width: number): Promise<Map<string, ReadResult>> {
  const results = new Map<string, ReadResult>();
  const batch = s.source.readItems?.bind(s.source);
  if (batch) {
    try {
      const items = await throttled(s, 'source', () => batch(s.sourceRef, from, keys, s.signal));
      for (const item of items) results.set(item.key, accepted(s, item));
      for (const key of keys) if (!results.has(key)) results.set(key, { outcome: { key, status: 'failed', reason: GONE } });
      return results;
    } catch (error) {
      if (isMailboxLevel(error) || s.signal.aborted) throw error;
    }
  }
  await runBounded(keys, width, async (key) => { results.set(key, await readOne(s, from, key)); });
  return results;
}

/**
 * Writes one item that was read: (probe when an earlier attempt may have written it), write. An
 * item's own failure (too big, rejected) is its outcome; a mailbox-level failure (connection,
 * sign-in, a long throttle) is thrown so the job retries from its checkpoint.
 */
export async function writeOne(s: CopySession, to: FolderInfo, item: Item, probeFirst: boolean): Promise<ItemOutcome> {
  const key = item.key;
  try {
    const facts = { hash: item.hash, bytes: item.content.length };
    if (probeFirst) {
      const found = await throttled(s, 'destination', () => s.destination.probeItem(s.destinationRef, to, item, s.signal));
      if (found) return { key, status: 'copied', destinationKey: found, ...facts };
    }
    const max = s.destination.limits.maxItemBytes;
    if (max !== undefined && item.content.length > max) {
      throw new AppError('UNSUPPORTED', `the item is ${item.content.length} bytes; the destination accepts at most ${max}`);
    }
    const written = await throttled(s, 'destination', () => s.destination.writeItem(s.destinationRef, to, item, s.signal));
    return { key, status: 'copied', destinationKey: written.key, ...facts };
  } catch (error) {
    return itemFailure(s, key, error);
  }
}
