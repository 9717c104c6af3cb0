import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { EngineEvent } from '../engine/index.js';
import type { NoticeView, View } from '../cards/views.js';
import type { ChatSender, MessageRef } from './context.js';
import { createAlertThreads } from './alert-thread.js';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function recorder() {
  const posts: { channelKey: string; view: View; threadOf: string | undefined; at: number }[] = [];
  const sender: ChatSender = {
    platform: 'slack',
    post: async (channelKey, view, options) => { posts.push({ channelKey, view, threadOf: options?.threadOf, at: Date.now() }); return { channelKey, messageId: `t${posts.length}` }; },
    update: async () => {},
  };
  return { sender, posts };
}

const alert = (address: string, level: 'warn' | 'error' = 'error'): EngineEvent => ({
  type: 'mailbox.alert', runId: 'run-1', projectId: 'p1', channelKey: 'slack:T1:C1',
  alert: { mailboxRunId: `mr-${address}`, address, level, message: `${address}: login refused` },
});

describe('mailbox alerts in the run card thread', () => {
  it('turns a burst of 50 failures into one summary reply in the thread, never a top-level message', async () => {
    const chat = recorder();
    const card: MessageRef = { channelKey: 'slack:T1:C1', messageId: '100.1' };
    const threads = createAlertThreads({ log, senderFor: () => chat.sender, cardOf: async () => card, perMailboxMs: 400, perRunMs: 100 });
    for (let i = 0; i < 50; i += 1) threads.onAlert(alert(`user${i}@a.example`));
    await sleep(300);
    threads.stop();
    expect(chat.posts).toHaveLength(1);
    expect(chat.posts[0]!.threadOf).toBe('100.1');
    const view = chat.posts[0]!.view as NoticeView;
    expect(view.title).toBe('50 mailboxes — 50 failed, 0 need attention');
    expect(view.text?.split('\n')).toHaveLength(11);
    expect(view.text).toContain('…and 40 more');
  });

  it('replies at most once per mailbox per window, however often it complains', async () => {
    const chat = recorder();
    const threads = createAlertThreads({ log, senderFor: () => chat.sender, cardOf: async () => ({ channelKey: 'slack:T1:C1', messageId: '1.1' }), perMailboxMs: 500, perRunMs: 50 });
    const started = Date.now();
    for (let i = 0; i < 30; i += 1) {
      threads.onAlert(alert('ceo@a.example', 'warn'));
      await sleep(40);
    }
    await sleep(700);
    threads.stop();
    const elapsed = Date.now() - started;
    expect(chat.posts.length).toBeGreaterThanOrEqual(2);
    expect(chat.posts.length).toBeLessThanOrEqual(Math.ceil(elapsed / 500) + 1);
    for (let i = 1; i < chat.posts.length; i += 1) expect(chat.posts[i]!.at - chat.posts[i - 1]!.at).toBeGreaterThanOrEqual(480);
    expect((chat.posts[0]!.view as NoticeView)).toMatchObject({ title: 'ceo@a.example', tone: 'warning' });
  });

  it('waits for the run card, and drops alerts rather than post them top-level when none appears', async () => {
    const chat = recorder();
    let card: MessageRef | null = null;
    const threads = createAlertThreads({ log, senderFor: () => chat.sender, cardOf: async () => card, perMailboxMs: 100, perRunMs: 50, cardWaitMs: 2500 });
    threads.onAlert(alert('a@a.example'));
    await sleep(200);
    expect(chat.posts).toHaveLength(0);
    card = { channelKey: 'slack:T1:C1', messageId: '5.5' };
    await sleep(1200);
    expect(chat.posts.map((p) => p.threadOf)).toEqual(['5.5']);
    card = null;
    threads.onAlert({ ...alert('b@a.example'), runId: 'run-2' });
    await sleep(1500);
    threads.stop();
    expect(chat.posts).toHaveLength(1);
  });
});

describe('mailbox alerts after the run', () => {
  it('drops stale warnings when the run finishes but still reports failures', async () => {
    const chat = recorder();
    const threads = createAlertThreads({ log, senderFor: () => chat.sender, cardOf: async () => ({ channelKey: 'slack:T1:C1', messageId: '7.7' }), perMailboxMs: 300, perRunMs: 50 });
    threads.onAlert(alert('a@a.example', 'warn'));
    threads.onAlert(alert('b@a.example', 'error'));
    threads.forget('run-1');
    await sleep(1300);
    threads.stop();
    expect(chat.posts.map((p) => (p.view as NoticeView).title)).toEqual(['b@a.example']);
  });
});
