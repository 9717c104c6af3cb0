import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Engine, EngineEvent, HoldInfo, RunDetail, StoredCard, SubscriptionInfo } from '../engine/index.js';
import type { ApprovalView, NoticeView, View } from '../cards/views.js';
import type { ChatSender, MessageRef } from './context.js';
import { createCreditEvents, creditNoteView } from './credit-events.js';
import { heldBack } from './notifier.js';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function sender() {
  const posts: { channelKey: string; view: View }[] = [];
  const updates: { ref: MessageRef; view: View }[] = [];
  const chat: ChatSender = {
    platform: 'slack',
    post: async (channelKey, view) => { posts.push({ channelKey, view }); return { channelKey, messageId: `m${posts.length}` }; },
    update: async (ref, view) => { updates.push({ ref, view }); },
  };
  return { chat, posts, updates };
}

const decidedHold = {
  id: 'h1', orgId: 'slack:T1', projectId: 'p1', projectName: 'acme', runId: 'r1', channelKey: 'slack:T1:C1', status: 'rejected', amount: 3,
  consumed: 0, released: 3, availableBefore: 10, availableAfter: 7, requestedBy: 'U1', requestedByName: 'Ada', createdAt: '2026-11-24T07:00:00Z',
  expiresAt: '2026-11-25T07:00:00Z', decidedBy: 'U2', decidedByName: 'Megan', decidedAt: '2026-11-24T07:05:00Z', outcome: 'rejected by Megan',
  lines: [], approverIds: ['U2'], approverChatIds: ['U2'], selfApproval: false,
} satisfies HoldInfo;

function engineWith(cards: StoredCard[], subs: SubscriptionInfo[]) {
  const reads: string[] = [];
  const engine = {
    findCard: async (subject: string, key: string) => cards.find((c) => c.subject === subject && c.channelKey === key) ?? null,
    getHold: async (actor: { orgId: string }, id: string) => { reads.push(`${actor.orgId}:${id}`); return decidedHold; },
    subscribers: async () => subs,
  } as unknown as Engine;
  return { engine, reads };
}

const event = (type: EngineEvent['type'], extra: Partial<EngineEvent> = {}): EngineEvent => ({ type, runId: '', projectId: 'p1', channelKey: 'slack:T1:C1', orgId: 'slack:T1', ...extra });

describe('credit events in chat', () => {
  it('hold.decided edits the stored approval card to its decided state, without buttons', async () => {
    const { chat, updates } = sender();
    const { engine, reads } = engineWith([{ subject: 'hold:h1', channelKey: 'slack:T1:C1', messageRef: '111.222' }], []);
    const events = createCreditEvents({ engine, log, senderFor: () => chat, platformOf: () => 'slack', cardWaitMs: 50 });
    events.onEvent(event('hold.decided', { holdId: 'h1' }));
    await events.stop();
    expect(reads).toEqual(['slack:T1:h1']);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.ref).toEqual({ channelKey: 'slack:T1:C1', messageId: '111.222' });
    const view = updates[0]!.view as ApprovalView;
    expect(view.decision?.headline).toMatch(/^Rejected by Megan at 2026-11-24 07:05 UTC$/);
    expect(view.actions).toEqual([]);
  });

  it('credits.changed goes to every channel subscribed to credits, a burst gathered into one message per channel', async () => {
    const { chat, posts } = sender();
    const subs = [
      { channelKey: 'slack:T1:CFIN', projectId: 'p1', projectName: 'acme', topics: ['credits'] },
      { channelKey: 'slack:T1:CFIN', projectId: 'p2', projectName: 'beta', topics: ['credits', 'progress'] },
      { channelKey: 'slack:T1:COPS', projectId: 'p1', projectName: 'acme', topics: ['credits'] },
    ] satisfies SubscriptionInfo[];
    const { engine } = engineWith([], subs);
    const events = createCreditEvents({ engine, log, senderFor: () => chat, platformOf: () => 'slack', noteGatherMs: 100, notePerChannelMs: 10_000 });
    for (let i = 1; i <= 12; i++) events.onEvent(event('credits.changed', { note: `${i} credit consumed` }));
    await sleep(300);
    expect(posts.map((p) => p.channelKey).sort()).toEqual(['slack:T1:CFIN', 'slack:T1:COPS']);
    const note = posts[0]!.view as NoticeView;
    expect(note.title).toBe('Credits: 12 changes');
    expect(note.text?.split('\n')).toHaveLength(11);
    expect(note.text).toContain('…and 2 more');
    // Within the per-channel interval, the next note waits.
    events.onEvent(event('credits.changed', { note: 'later' }));
    await sleep(300);
    expect(posts).toHaveLength(2);
    await events.stop();
  });

  it('a single note is one line', () => {
    expect(creditNoteView(['100 credits granted by Alex: Q4'])).toEqual({ kind: 'notice', tone: 'info', title: 'Credits: 100 credits granted by Alex: Q4' });
  });
});

describe('heldBack', () => {
  const run = (over: Partial<RunDetail>): Pick<RunDetail, 'status' | 'hold' | 'mode' | 'mailboxRuns'> => ({ status: 'running', mode: 'full', mailboxRuns: [], ...over });
  it('keeps the run card back while credits wait, and for runs refused before any mailbox started', () => {
    expect(heldBack(run({ status: 'pending_approval' }))).toBe(true);
    expect(heldBack(run({ status: 'cancelled', hold: decidedHold }))).toBe(true);
    expect(heldBack(run({ status: 'cancelled', mailboxRuns: [{ status: 'cancelled', itemsDone: 0 } as RunDetail['mailboxRuns'][number]] }))).toBe(true);
    expect(heldBack(run({ status: 'queued', hold: { ...decidedHold, status: 'held' } }))).toBe(false);
    expect(heldBack(run({ status: 'cancelled', mailboxRuns: [{ status: 'completed', itemsDone: 3 } as RunDetail['mailboxRuns'][number]] }))).toBe(false);
    expect(heldBack(run({ status: 'cancelled', mode: 'delta', mailboxRuns: [] }))).toBe(false);
  });
});

describe('hold.created', () => {
  it('posts the approval card when no command did (a launch from the CLI), and files it', async () => {
    const { chat, posts } = sender();
    const cards: StoredCard[] = [];
    const pending = { ...decidedHold, status: 'pending_approval' as const, decidedBy: null, decidedByName: null, decidedAt: null, outcome: null };
    const engine = {
      findCard: async (subject: string, key: string) => cards.find((c) => c.subject === subject && c.channelKey === key) ?? null,
      getHold: async () => pending,
      saveCard: async (card: StoredCard) => { cards.push(card); },
    } as unknown as Engine;
    const events = createCreditEvents({ engine, log, senderFor: () => chat, platformOf: () => 'slack', newCardWaitMs: 100 });
    events.onEvent(event('hold.created', { holdId: 'h1' }));
    await sleep(400);
    expect(posts).toHaveLength(1);
    expect((posts[0]!.view as ApprovalView).actions.map((a) => a.verb)).toEqual(['hold.approve', 'hold.reject']);
    expect(cards).toEqual([{ subject: 'hold:h1', channelKey: 'slack:T1:C1', messageRef: 'm1' }]);
    // A command that filed its card in time: nothing posted.
    events.onEvent(event('hold.created', { holdId: 'h1' }));
    await sleep(300);
    expect(posts).toHaveLength(1);
    await events.stop();
  });
});
