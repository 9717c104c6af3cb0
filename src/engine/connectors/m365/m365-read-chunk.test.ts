import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors.js';
import type { FolderInfo, Item, MailboxRef } from '../types.js';
import type { M365Context } from './m365-context.js';
import { readChunk, readOneCached } from './m365-read-chunk.js';

const ctx = () => ({ readTurns: new Map(), readDone: new Map() }) as unknown as M365Context;
const mailbox: MailboxRef = { id: 'u1', address: 'ada@contoso.example' } as MailboxRef;
const folder = (key: string): FolderInfo => ({ key, path: [key], role: null, itemType: 'mail' });
const item = (key: string): Item => ({ key, type: 'mail', content: Buffer.from(key), flags: [], date: new Date(0), hash: key });
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('readChunk', () => {
  it('reads one chunk of a mailbox at a time, so the first chunk is whole before another starts', async () => {
    const c = ctx();
    const order: string[] = [];
    const read = async (_m: MailboxRef, f: FolderInfo, key: string) => { order.push(`${f.key}:${key}`); await tick(); return item(key); };
    const [a, b] = await Promise.all([
      readChunk(c, read, 4, mailbox, folder('A'), ['1', '2', '3', '4', '5', '6']),
      readChunk(c, read, 4, mailbox, folder('B'), ['7', '8']),
    ]);
    expect(a.map((i) => i.key)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(b.map((i) => i.key)).toEqual(['7', '8']);
    expect(order.slice(0, 6).every((o) => o.startsWith('A:'))).toBe(true);
  });

  it('leaves out what Microsoft no longer has, and keeps what it read for the retry when another read fails', async () => {
    const c = ctx();
    let requests = 0;
    let fail = true;
    const read = async (_m: MailboxRef, _f: FolderInfo, key: string) => {
      requests++;
      await tick();
      if (key === 'gone') throw new AppError('NOT_FOUND', 'not there');
      if (key === 'flaky' && fail) throw new AppError('THROTTLED', 'wait', { retryAfterMs: 10 });
      return item(key);
    };
    expect((await readChunk(c, read, 1, mailbox, folder('A'), ['1', 'gone', '2'])).map((i) => i.key)).toEqual(['1', '2']);
    requests = 0;
    await expect(readChunk(c, read, 1, mailbox, folder('A'), ['3', 'flaky'])).rejects.toMatchObject({ code: 'THROTTLED' });
    fail = false;
    expect((await readChunk(c, read, 1, mailbox, folder('A'), ['3', 'flaky'])).map((i) => i.key)).toEqual(['3', 'flaky']);
    expect(requests).toBe(3); // 3 was read once
    expect((await readOneCached(c, read, mailbox, folder('A'), '4')).key).toBe('4');
  });
});
