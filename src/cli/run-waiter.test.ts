import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine, EngineEvent, RunDetail } from '../engine/index.js';
import { waitForRun } from './run-waiter.js';

/** Just what the waiter uses of an engine: getRun and onEvent, with the run's status set by the test. */
function fakeEngine(): { engine: Engine; finish(): void; emit(event: Partial<EngineEvent>): void; reads: () => number; unsubscribed: () => boolean } {
  let status: RunDetail['status'] = 'running';
  let reads = 0;
  let handler: ((event: EngineEvent) => void) | null = null;
  let unsubscribed = false;
  const engine = {
    getRun: async (id: string) => {
      reads++;
      return { id, mode: 'full', status, progress: {} } as unknown as RunDetail;
    },
    onEvent: async (h: (event: EngineEvent) => void) => {
      handler = h;
      return async () => { unsubscribed = true; };
    },
  } as unknown as Engine;
  const emit = (event: Partial<EngineEvent>) => handler?.({ type: 'run.finished', runId: 'r1', projectId: 'p', channelKey: 'c', ...event } as EngineEvent);
  return { engine, finish: () => { status = 'completed'; }, emit, reads: () => reads, unsubscribed: () => unsubscribed };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('waiting for a run', () => {
  it('returns as soon as the run announces its end, without waiting for the next poll', async () => {
    vi.useFakeTimers();
    const fake = fakeEngine();
    const waiting = waitForRun(fake.engine, 'r1', { show: false, tty: false });
    await vi.waitFor(() => expect(fake.reads()).toBe(1), { interval: 1 });
    // Another run's end and this run's progress do not wake it.
    fake.emit({ runId: 'other' });
    fake.emit({ type: 'run.progress' });
    await Promise.resolve();
    expect(fake.reads()).toBe(1);
    fake.finish();
    fake.emit({});
    // No timer is advanced: only the event can have ended the wait.
    expect((await waiting).status).toBe('completed');
    expect(fake.reads()).toBe(2);
    expect(fake.unsubscribed()).toBe(true);
  });

  it('still ends by polling when no event comes (Redis events lost)', async () => {
    vi.useFakeTimers();
    const fake = fakeEngine();
    const ticks: string[] = [];
    const waiting = waitForRun(fake.engine, 'r1', { show: false, tty: false, onTick: (run) => ticks.push(run.status) });
    await vi.waitFor(() => expect(fake.reads()).toBe(1), { interval: 1 });
    fake.finish();
    await vi.advanceTimersByTimeAsync(500);
    expect((await waiting).status).toBe('completed');
    expect(ticks).toEqual(['running', 'completed']);
  });
});
