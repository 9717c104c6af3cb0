import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { withBackoff } from './teams-retry.js';

const httpError = (statusCode: number, retryAfter?: string) =>
  Object.assign(new Error(`HTTP ${statusCode}`), { statusCode, response: { status: statusCode, headers: { get: (n: string) => (n === 'retry-after' ? retryAfter : undefined) } } });

describe('withBackoff', () => {
  it('retries 429 honouring Retry-After, then succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withBackoff(
      async () => {
        calls += 1;
        if (calls < 3) throw httpError(429, '2');
        return 'ok';
      },
      { sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(waits.every((w) => w >= 2000)).toBe(true);
  });

  it('backs off exponentially on 502/504/412 and gives up with THROTTLED', async () => {
    const waits: number[] = [];
    const attempt = withBackoff(async () => { throw httpError(502); }, { tries: 4, baseMs: 100, sleep: async (ms) => void waits.push(ms) });
    await expect(attempt).rejects.toSatisfy((e) => AppError.is(e, 'THROTTLED'));
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBeGreaterThanOrEqual(100);
    expect(waits[1]).toBeGreaterThanOrEqual(200);
    expect(waits[2]).toBeGreaterThanOrEqual(400);
  });

  it('does not retry other failures', async () => {
    let calls = 0;
    await expect(withBackoff(async () => { calls += 1; throw httpError(403); }, { sleep: async () => undefined })).rejects.toThrow('HTTP 403');
    expect(calls).toBe(1);
  });
});
