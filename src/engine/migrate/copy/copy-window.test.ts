import { describe, expect, it } from 'vitest';
import { BATCH_SIZE, CHUNK_BYTES, chunkKeys } from './copy-window.js';

const keys = (n: number) => Array.from({ length: n }, (_, i) => `1:${i + 1}`);

describe('chunkKeys', () => {
  it('checkpoints small messages every BATCH_SIZE items, in order, losing none', () => {
    const all = keys(250);
    const chunks = chunkKeys(all, new Map(all.map((k) => [k, 5_000])));
    expect(chunks.map((c) => c.length)).toEqual([BATCH_SIZE, BATCH_SIZE, 50]);
    expect(chunks.flat()).toEqual(all);
  });

  it('keeps a chunk of large messages under CHUNK_BYTES, and a message larger than that alone', () => {
    const all = keys(6);
    const sizes = new Map(all.map((k, i) => [k, i === 3 ? CHUNK_BYTES * 3 : 3 * 1024 * 1024]));
    expect(chunkKeys(all, sizes)).toEqual([['1:1', '1:2'], ['1:3'], ['1:4'], ['1:5', '1:6']]);
  });

  it('budgets unknown sizes conservatively (a retry has no listing)', () => {
    expect(chunkKeys(keys(20)).map((c) => c.length)).toEqual([8, 8, 4]);
  });
});
