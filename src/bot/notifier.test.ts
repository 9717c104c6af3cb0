import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Engine, EngineEvent, RunDetail, StoredCard } from '../engine/index.js';
import type { RunView, View, ScanView } from '../cards/views.js';
import type { ChatSender, MessageRef } from './context.js';
import { createNotifier } from './notifier.js';
import { AppError } from '../errors.js';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Just the engine surface the notifier uses; the run advances as the test says. */
function fakeEngine(channelKey = 'slack:T1:C1') {
  let handler: ((e: EngineEvent) => void) | null = null;
  const cards: StoredCard[] = [];
  const run: RunDetail = {
    id: 'run-1', projectId: 'p1', projectName: 'acme', channelKey, mode: 'scan', status: 'running', startedBy: 'U1', startedByName: 'Ada Lovelace',
    createdAt: new Date().toISOString(), finishedAt: null, progress: { mailboxesTotal: 200, mailboxesDone: 0, mailboxesFailed: 0 }, summary: null, error: null, mailboxRuns: [],
  };
  const engine = {
    onEvent: async (h: (e: EngineEvent) => void) => { handler = h; return async () => { handler = null; }; },
    getRun: async () => structuredClone(run),
    findCard: async (subject: string, key: string) => cards.find((c) => c.subject === subject && c.channelKey === key) ?? null,
    saveCard: async (card: StoredCard) => { cards.push(card); },
  } as unknown as Engine;
  const emit = (type: EngineEvent['type']) => handler?.({ type, runId: run.id, projectId: 'p1', channelKey });
  return { engine, run, cards, emit };
}

function fakeSender(platform: 'slack' | 'teams' = 'slack') {
  const updates: { ref: MessageRef; view: View }[] = [];
  const posts: { channelKey: string; view: View }[] = [];
  let failNext: Error[] = [];
  const sender: ChatSender = {
    platform,
    post: async (channelKey, view) => { posts.push({ channelKey, view }); return { channelKey, messageId: `m${posts.length}` }; },
    update: async (ref, view) => {
      const failure = failNext.shift();
      if (failure) throw failure;
      updates.push({ ref, view });
    },
  };
  return { sender, updates, posts, failWith: (errors: Error[]) => { failNext = errors; } };
}

describe('notifier', () => {
  it('coalesces 200 progress events into a few edits and lands the final state', async () => {
    const { engine, run, cards, emit } = fakeEngine();
    cards.push({ subject: 'run:run-1', channelKey: 'slack:T1:C1', messageRef: '111.222' });
    const chat = fakeSender();
    const notifier = createNotifier({ engine, senders: [chat.sender], log, minEditIntervalMs: 50 });
    await notifier.start();
    const started = Date.now();
    for (let i = 1; i <= 200; i += 1) {
      run.progress.mailboxesDone = i;
      emit('run.progress');
      if (i % 20 === 0) await sleep(15);
    }
    run.status = 'completed';
    run.finishedAt = new Date().toISOString();
    emit('run.finished');
    await sleep(150);
    const elapsed = Date.now() - started;
    await notifier.stop();
    // One edit per 50 ms window at most, plus the immediate first and the final flush.
    expect(chat.updates.length).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 2);
    expect(chat.updates.length).toBeGreaterThanOrEqual(2);
    expect(chat.posts).toHaveLength(0);
    const last = chat.updates.at(-1)!;
    expect(last.ref).toEqual({ channelKey: 'slack:T1:C1', messageId: '111.222' });
    expect((last.view as ScanView).status).toBe('completed');
    expect((last.view as ScanView).percent).toBe(100);
  });

  it('waits for the command to store its card instead of posting a second one', async () => {
    const { engine, cards, emit } = fakeEngine();
    const chat = fakeSender();
    const notifier = createNotifier({ engine, senders: [chat.sender], log, minEditIntervalMs: 50, cardWaitMs: 1000 });
    await notifier.start();
    emit('run.progress');
    await sleep(100);
    cards.push({ subject: 'run:run-1', channelKey: 'slack:T1:C1', messageRef: '9.9' });
    await sleep(400);
    await notifier.stop();
    expect(chat.posts).toHaveLength(0);
    expect(chat.updates.map((u) => u.ref.messageId)).toEqual(['9.9']);
  });

  it('posts and stores a card when none appears (a scan started from the CLI)', async () => {
    const { engine, run, cards, emit } = fakeEngine('teams:19:abc');
    const chat = fakeSender('teams');
    const notifier = createNotifier({ engine, senders: [fakeSender('slack').sender, chat.sender], log, minEditIntervalMs: 20, cardWaitMs: 50 });
    await notifier.start();
    emit('run.progress');
    await sleep(200);
    run.status = 'completed';
    emit('run.finished');
    await sleep(100);
    await notifier.stop();
    expect(chat.posts).toHaveLength(1);
    expect(cards).toEqual([{ subject: 'run:run-1', channelKey: 'teams:19:abc', messageRef: 'm1' }]);
    expect((chat.updates.at(-1)!.view as ScanView).status).toBe('completed');
  });

  it('honours retry-after on a throttled edit and never loses the final state', async () => {
    const { engine, run, cards, emit } = fakeEngine();
    cards.push({ subject: 'run:run-1', channelKey: 'slack:T1:C1', messageRef: '1.1' });
    const chat = fakeSender();
    chat.failWith([
      new AppError('THROTTLED', 'slow down', { retryAfterMs: 120 }),
      new AppError('THROTTLED', 'slow down', { retryAfterMs: 120 }),
    ]);
    const notifier = createNotifier({ engine, senders: [chat.sender], log, minEditIntervalMs: 5000 });
    await notifier.start();
    run.status = 'completed';
    run.finishedAt = new Date().toISOString();
    const t0 = Date.now();
    emit('run.finished');
    await sleep(400);
    await notifier.stop();
    expect(chat.updates).toHaveLength(1);
    expect((chat.updates[0]!.view as ScanView).status).toBe('completed');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
  });
});

describe('notifier: copy runs', () => {
  it('draws a copy run with the run card, ends with the verification, and posts the verification card once in the thread', async () => {
    const { engine, run, cards, emit } = fakeEngine();
    cards.push({ subject: 'run:run-1', channelKey: 'slack:T1:C1', messageRef: '111.222' });
    run.mode = 'full';
    const chat = fakeSender();
    const threadPosts: { threadOf: string | undefined; view: View }[] = [];
    const post = chat.sender.post;
    chat.sender.post = async (key, view, options) => { threadPosts.push({ threadOf: options?.threadOf, view }); return post(key, view, options); };
    const notifier = createNotifier({ engine, senders: [chat.sender], log, minEditIntervalMs: 20 });
    await notifier.start();
    emit('run.progress');
    await sleep(60);
    run.status = 'completed';
    run.finishedAt = new Date().toISOString();
    run.progress = { mailboxesTotal: 2, mailboxesDone: 2, mailboxesFailed: 0, itemsDone: 30, itemsTotal: 30, itemsFailed: 0, bytesDone: 10 };
    run.verification = {
      runId: 'run-1', projectName: 'acme', consistencyPercent: 100, missingTotal: 0, failedItems: 0,
      mailboxes: [{ sourceAddress: 'a@x', destinationAddress: 'a@y', missing: 0, folders: [{ path: 'INBOX', source: 30, destination: 30, ledger: 30, missing: 0 }] }],
    };
    emit('run.finished');
    emit('run.finished');
    await sleep(150);
    await notifier.stop();
    const last = chat.updates.at(-1)!.view as RunView;
    expect(last).toMatchObject({ kind: 'run', status: 'completed', verification: { consistencyPercent: 100, missing: 0 } });
    expect(threadPosts).toHaveLength(1);
    expect(threadPosts[0]).toMatchObject({ threadOf: '111.222', view: { kind: 'verification', consistencyPercent: 100 } });
  });
});
