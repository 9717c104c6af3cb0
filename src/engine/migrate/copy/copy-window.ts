/**
 * The write pipeline of one folder pass. Keys go in chunks: a chunk's intents are declared and its
 * items read (one batch request) while the previous chunk is still being written; writes keep up to
 * `width` in flight across chunk boundaries (no waiting for a chunk's slowest message); a chunk is
 * recorded in ONE transaction once all its writes settled, chunks in order, while later writes go on.
 * Crash safety is unchanged: every write has an intent before it starts, and a chunk's ledger rows,
 * intent deletions and (for the last chunk of a page) the cursor commit together.
 */
import type { FolderInfo } from '../../connectors/types.js';
import { progressEvent } from './copy-events.js';
import { readChunk, writeOne, type ReadResult } from './copy-item.js';
import { declareIntents, recordBatch, type FolderPair, type ItemOutcome } from './copy-ledger.js';
import type { CopySession } from './copy-session.js';

/** Items per checkpoint: at most this many are written again (after a probe) when a job dies. */
export const BATCH_SIZE = 100;
/** Bytes per chunk, so a chunk in memory (and the one read ahead) stays small whatever the items' sizes. */
export const CHUNK_BYTES = 8 * 1024 * 1024;
/** Budgeted for an item whose size the listing did not give. */
const UNKNOWN_SIZE = 1024 * 1024;

/** Splits keys into chunks of at most BATCH_SIZE items and CHUNK_BYTES (an item larger than that goes alone). */
export function chunkKeys(keys: string[], sizes?: ReadonlyMap<string, number>): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const key of keys) {
    const size = sizes?.get(key) ?? UNKNOWN_SIZE;
    if (current.length > 0 && (current.length >= BATCH_SIZE || bytes + size > CHUNK_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(key);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export class Cancelled extends Error {
  constructor() {
    super('the mailbox run is no longer running');
  }
}

export function pipelineWidth(s: CopySession): number {
  return Math.max(1, Math.min(s.source.limits.concurrencyPerMailbox, s.destination.limits.concurrencyPerMailbox));
}

interface Prepared { keys: string[]; probe: Set<string>; reads: Map<string, ReadResult> }

async function prepare(s: CopySession, from: FolderInfo, keys: string[], forceProbe: boolean, width: number): Promise<Prepared> {
  // Intents only have to precede the writes, not the read: both go at once.
  const [earlier, reads] = await Promise.all([declareIntents(s.ctx.db, s.mappingId, from.key, keys), readChunk(s, from, keys, width)]);
  return { keys, probe: forceProbe ? new Set(keys) : earlier, reads };
}

/** A counting semaphore: how many writes may be in flight (one per mailbox, shared by its folder passes). */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(size: number) { this.free = size; }
  async take(): Promise<void> {
    if (this.free > 0) { this.free--; return; }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next(); else this.free++;
  }
}

/**
 * Writes `keys` (pipelined as above; `sizes` from the listing bound each chunk's bytes). `cursor`,
 * when given, is stored with the last chunk (or alone when there are no keys): the page is then fully recorded. After a mailbox-level failure no new
 * write starts, nothing more is recorded, and the error is rethrown only once every write in
 * flight has settled (none writes after the attempt ended).
 */
export async function copyKeys(s: CopySession, from: FolderInfo, to: FolderInfo, keys: string[], forceProbe: boolean, cursor?: string, sizes?: ReadonlyMap<string, number>): Promise<void> {
  const pair: FolderPair = { source: from.key, destination: to.key };
  if (keys.length === 0) {
    if (cursor !== undefined && !(await recordBatch(s, pair, [], cursor))) throw new Cancelled();
    return;
  }
  const width = pipelineWidth(s);
  const chunks = chunkKeys(keys, sizes);
  s.writeSlots ??= new Slots(width);
  const slots = s.writeSlots;
  let failure: { error: unknown } | null = null;
  const fail = (error: unknown) => { failure ??= { error }; };
  const stopped = () => failure !== null || s.halted !== undefined;
  const inFlight: Promise<unknown>[] = [];
  let recorded: Promise<void> = Promise.resolve();
  let next: Promise<Prepared> | null = prepare(s, from, chunks[0]!, forceProbe, width);
  for (let i = 0; i < chunks.length && !stopped(); i++) {
    let chunk: Prepared;
    try {
      chunk = await next!;
    } catch (error) {
      fail(error);
      break;
    }
    next = i + 1 < chunks.length ? prepare(s, from, chunks[i + 1]!, forceProbe, width) : null;
    next?.catch(() => undefined);
    const writes = await startWrites(s, to, chunk, slots, stopped, fail);
    inFlight.push(...writes);
    if (stopped()) break;
    const last = i === chunks.length - 1;
    recorded = recorded.then(async () => {
      const outcomes = await Promise.all(writes);
      if (stopped()) return;
      if (!(await recordBatch(s, pair, outcomes, last ? cursor : undefined))) throw new Cancelled();
      await progressEvent(s.ctx, s.run);
    });
    recorded.catch(fail);
  }
  await Promise.allSettled([...inFlight, recorded, ...(next ? [next] : [])]);
  // Another folder's failure stops this pass too (that failure is the one the job reports).
  const stop = (failure as { error: unknown } | null) ?? s.halted;
  if (stop) throw stop.error;
}

/** Starts the chunk's writes as slots free up; returns their outcomes (already-decided ones included). */
async function startWrites(s: CopySession, to: FolderInfo, chunk: Prepared, slots: NonNullable<CopySession['writeSlots']>, failed: () => boolean, fail: (error: unknown) => void): Promise<Promise<ItemOutcome>[]> {
  const writes: Promise<ItemOutcome>[] = [];
  for (const key of chunk.keys) {
    const read = chunk.reads.get(key)!;
    if ('outcome' in read) {
      writes.push(Promise.resolve(read.outcome));
      continue;
    }
    await slots.take();
    if (failed() || s.signal.aborted) {
      slots.give();
      if (s.signal.aborted) fail(s.signal.reason ?? new Cancelled());
      break;
    }
    const write = writeOne(s, to, read.item, chunk.probe.has(key)).finally(() => slots.give());
    write.catch(fail);
    writes.push(write);
  }
  return writes;
}
