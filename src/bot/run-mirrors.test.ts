import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Engine, EngineEvent, RunDetail, StoredCard, SubscriptionInfo, SubscriptionTopic } from '../engine/index.js';
import type { NoticeView, View } from '../cards/views.js';
import type { ChatSender, MessageRef } from './context.js';
import { createRunMirrors } from './run-mirrors.js';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const PROJECT = 'slack:T1:CPROJ';

function setup(topics: Record<string, SubscriptionTopic[]>) {
  const cards: StoredCard[] = [];
  const posts: { channelKey: string; view: View; threadOf?: string }[] = [];
  const updates: { ref: MessageRef; view: View }[] = [];
  const engine = {
    getConversationRef: async (key: string) => (key === PROJECT ? { orgId: 'slack:T1', platform: 'slack', reference: {} } : null),
    subscribers: async (props: { topic: SubscriptionTopic; projectId?: string }): Promise<SubscriptionInfo[]> =>
      Object.entries(topics).filter(([, t]) => t.includes(props.topic)).map(([channelKey, t]) => ({ channelKey, projectId: 'p1', projectName: 'acme', topics: t })),
    findCard: async (subject: string, key: string) => cards.find((c) => c.subject === subject && c.channelKey === key) ?? null,
    saveCard: async (card: StoredCard) => { cards.push(card); },
  } as unknown as Engine;
  const sender: ChatSender = {
    platform: 'slack',
    post: async (channelKey, view, options) => { posts.push({ channelKey, view, ...(options?.threadOf ? { threadOf: options.threadOf } : {}) }); return { channelKey, messageId: `m${posts.length}` }; },
    update: async (ref, view) => { updates.push({ ref, view }); },
  };
  const mirrors = createRunMirrors({ engine, log, senderFor: () => sender, alertPerRunMs: 50, alertPerMailboxMs: 50 });
  return { mirrors, cards, posts, updates };
}

const run = { id: 'run-1', projectId: 'p1', channelKey: PROJECT } as RunDetail;
const view = (n: number): View => ({ kind: 'notice', tone: 'info', title: `edit ${n}` });

describe('run mirrors', () => {
  it('gives each channel following progress its own living copy; the project channel and non-followers get nothing', async () => {
    const { mirrors, cards, posts, updates } = setup({ [PROJECT]: ['progress'], 'slack:T1:COPS': ['progress', 'health'], 'slack:T1:CFIN': ['credits'] });
    await mirrors.mirror(run, view(1), { channelKey: PROJECT, messageId: 'main' });
    await mirrors.mirror(run, view(2), { channelKey: PROJECT, messageId: 'main' });
    expect(posts.map((p) => [p.channelKey, (p.view as NoticeView).title])).toEqual([['slack:T1:COPS', 'edit 1']]);
    expect(cards).toEqual([{ subject: 'run:run-1', channelKey: 'slack:T1:COPS', messageRef: 'm1' }]);
    expect(updates.map((u) => [u.ref, (u.view as NoticeView).title])).toEqual([[{ channelKey: 'slack:T1:COPS', messageId: 'm1' }, 'edit 2']]);
    mirrors.stop();
  });

  it('does not edit twice a card that is the project card itself (launched from the following channel)', async () => {
    const { mirrors, cards, posts, updates } = setup({ 'slack:T1:COPS': ['progress'] });
    cards.push({ subject: 'run:run-1', channelKey: 'slack:T1:COPS', messageRef: 'main' });
    await mirrors.mirror(run, view(1), { channelKey: 'slack:T1:COPS', messageId: 'main' });
    expect(posts).toEqual([]);
    expect(updates).toEqual([]);
    mirrors.stop();
  });

  it('sends mailbox alerts to health followers: in the copy’s thread when there is one, else on their own', async () => {
    const { mirrors, cards, posts } = setup({ 'slack:T1:COPS': ['progress', 'health'], 'slack:T1:CHEALTH': ['health'] });
    cards.push({ subject: 'run:run-1', channelKey: 'slack:T1:COPS', messageRef: 'ops-card' });
    const alert: EngineEvent = { type: 'mailbox.alert', runId: 'run-1', projectId: 'p1', channelKey: PROJECT, alert: { mailboxRunId: 'mr1', address: 'a@x', level: 'error', message: 'a@x failed: login refused' } };
    mirrors.onAlert(alert);
    await sleep(400);
    expect(posts.map((p) => [p.channelKey, p.threadOf ?? null]).sort()).toEqual([['slack:T1:CHEALTH', null], ['slack:T1:COPS', 'ops-card']]);
    expect((posts[0]!.view as NoticeView).text).toBe('a@x failed: login refused');
    mirrors.stop();
  });
});
