/**
 * Connector.readItems for Microsoft 365: the chunk's items read one GET each (a $batch would count
 * the same per item against the mailbox, and bypass its concurrency slots), but ONE chunk per
 * mailbox at a time. The copy pipeline writes a chunk only once all of it is read; chunks of several
 * folders (and the read-ahead) read side by side would share a scarce request window so that none
 * completes and the destination idles until the next window. In turn, the first chunk is whole at
 * once and its writes start while the next is read.
 */
import { AppError } from '../../../errors.js';
import type { FolderInfo, Item, MailboxRef } from '../types.js';
import { bucketOf, type M365Context } from './m365-context.js';

export type ReadOne = (mailbox: MailboxRef, folder: FolderInfo, key: string, signal?: AbortSignal) => Promise<Item>;

/** Waits for the mailbox's previous chunk; returns the release for the next one. */
async function turn(ctx: M365Context, mailbox: MailboxRef): Promise<() => void> {
  const key = bucketOf(mailbox);
  const before = ctx.readTurns.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => { release = resolve; });
  const chain = before.then(() => mine);
  ctx.readTurns.set(key, chain);
  await before;
  return () => {
    release();
    if (ctx.readTurns.get(key) === chain) ctx.readTurns.delete(key);
  };
}

/**
 * Reads `keys` (at most `width` at once). A key Microsoft no longer has is left out (the engine
 * records it as gone); any other failure is thrown, and what was read stays in ctx.readDone, so the
 * engine's retry (or its one-by-one fallback) gets it without asking Graph again.
 */
export async function readChunk(ctx: M365Context, readOne: ReadOne, width: number, mailbox: MailboxRef, folder: FolderInfo, keys: string[], signal?: AbortSignal): Promise<Item[]> {
  const done = await turn(ctx, mailbox);
  try {
    const items = new Map<string, Item>();
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        try {
          const item = ctx.readDone.get(key) ?? (await readOne(mailbox, folder, key, signal));
          ctx.readDone.set(key, item);
          items.set(key, item);
        } catch (error) {
          if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(width, keys.length)) }, worker));
    for (const key of keys) ctx.readDone.delete(key);
    return keys.filter((k) => items.has(k)).map((k) => items.get(k)!);
  } finally {
    done();
  }
}

/** A single read: served from an interrupted chunk read when it got that far. */
export async function readOneCached(ctx: M365Context, readOne: ReadOne, mailbox: MailboxRef, folder: FolderInfo, key: string, signal?: AbortSignal): Promise<Item> {
  const kept = ctx.readDone.get(key);
  if (kept) {
    ctx.readDone.delete(key);
    return kept;
  }
  return readOne(mailbox, folder, key, signal);
}
