import { AppError, toAppError } from '../../../errors.js';
import type { FolderInfo, Item } from '../../connectors/types.js';
import type { ItemOutcome } from './copy-ledger.js';
import { isMailboxLevel, throttled, type CopySession } from './copy-session.js';

function inRange(s: CopySession, item: Item): boolean {
  const { from, to } = s.options;
  if (from && item.date.getTime() < Date.parse(from)) return false;
  if (to && item.date.getTime() >= Date.parse(to)) return false;
  return true;
}

/**
 * Copies one item: read, (probe when an earlier attempt may have written it), write. An item's own
 * failure (too big, rejected, gone) is its outcome; a mailbox-level failure (connection, sign-in,
 * a long throttle) is thrown so the job retries from its checkpoint.
 */
export async function copyItem(s: CopySession, from: FolderInfo, to: FolderInfo, key: string, probeFirst: boolean): Promise<ItemOutcome> {
  try {
    const item = await throttled(s, 'source', () => s.source.readItem(s.sourceRef, from, key, s.signal));
    if (!inRange(s, item)) return { key, status: 'filtered' };
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
    if (isMailboxLevel(error) || s.signal.aborted) throw error;
    return { key, status: 'failed', reason: toAppError(error).userMessage };
  }
}
