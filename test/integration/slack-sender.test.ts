/**
 * The proactive Slack sender (what the notifier uses for living cards) against the Web API
 * simulator: posts and edits land where a user would see them, 429s are waited out for each
 * Retry-After as long as the waits fit in 30 s, the one that would overrun it surfaces as THROTTLED
 * with retryAfterMs, and the simulator refuses what real Slack refuses (Block Kit budgets, rate limits).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { View } from '../../src/cards/views.js';
import { AppError } from '../../src/errors.js';
import { createSlackSender } from '../../src/bot/slack/slack-sender.js';
import { SlackWeb } from '../../src/bot/slack/slack-web.js';
import { createLogger } from '../../src/log.js';
import { SlackApiSimulator } from '../simulators/slack/slack-api-simulator.js';

const TOKEN = 'xoxb-sender-test';
const notice = (title: string): View => ({ kind: 'notice', tone: 'info', title });

describe('Slack sender through the Web API simulator', () => {
  let sim: SlackApiSimulator;

  beforeEach(async () => {
    sim = await SlackApiSimulator.start({ botToken: TOKEN, rateLimits: { postBurst: 1, updatesPerMinute: 3 } });
  });
  afterEach(async () => {
    await sim.close();
  });

  const sender = () => createSlackSender(new SlackWeb({ token: TOKEN, apiUrl: sim.apiUrl, log: createLogger('silent') }));

  it('posts into the channel of the key, threads on request and edits in place', async () => {
    const s = sender();
    const ref = await s.post('slack:T1:C42', notice('Scan queued'));
    expect(ref).toEqual({ channelKey: 'slack:T1:C42', messageId: expect.stringMatching(/^\d+\.\d+$/) });
    await s.update(ref, notice('Scan completed'));
    const message = sim.message(ref.messageId)!;
    expect(message.channel).toBe('C42');
    expect(message.history).toHaveLength(1);
    expect(JSON.stringify(message.blocks)).toContain('Scan completed');
    expect(sim.topLevelMessages('C42')).toHaveLength(1);
  });

  it('waits out one 429 for the Retry-After seconds, then succeeds', async () => {
    const s = sender();
    await s.post('slack:T1:C1', notice('first'));
    const started = Date.now();
    // The per-channel budget (burst 1, 1/s) is spent: the simulator answers 429 Retry-After: 1.
    const second = await s.post('slack:T1:C1', notice('second'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(sim.callsTo('chat.postMessage').map((c) => c.outcome)).toEqual(['ok', 'ratelimited', 'ok']);
    expect(sim.message(second.messageId)).toBeDefined();
  });

  it('waits out three 429s in a row, each for its Retry-After, and the message lands', async () => {
    const s = sender();
    for (let i = 0; i < 3; i += 1) sim.failNext('chat.postMessage', { retryAfter: 1 });
    const started = Date.now();
    const ref = await s.post('slack:T1:C2', notice('the scan card'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(sim.callsTo('chat.postMessage').map((c) => c.outcome)).toEqual(['ratelimited', 'ratelimited', 'ratelimited', 'ok']);
    expect(sim.topLevelMessages('C2').map((m) => m.ts)).toEqual([ref.messageId]);
  });

  it('gets every card of a burst into a channel that takes one post a second', async () => {
    const s = sender();
    // Burst 1 at 1/s: the last of four cards posted at once is refused three times before its turn comes.
    const refs = await Promise.all([1, 2, 3, 4].map((i) => s.post('slack:T1:C7', notice(`card ${i}`))));
    expect(sim.topLevelMessages('C7').map((m) => m.ts).sort()).toEqual(refs.map((r) => r.messageId).sort());
    const refusals = [1, 2, 3, 4].map((i) => sim.callsTo('chat.postMessage').filter((c) => c.outcome === 'ratelimited' && JSON.stringify(c.args).includes(`card ${i}`)).length);
    expect(Math.max(...refusals)).toBeGreaterThanOrEqual(3);
  });

  it('gives up with THROTTLED once the next wait would overrun the 30 s budget, posting nothing', async () => {
    const s = sender();
    sim.failNext('chat.postMessage', { retryAfter: 1 });
    sim.failNext('chat.postMessage', { retryAfter: 30 });
    const started = Date.now();
    const error = await s.post('slack:T1:C2', notice('x')).catch((e: unknown) => e);
    // It sat through the first second, not the 30 more that would have made 31.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(AppError.is(error, 'THROTTLED')).toBe(true);
    expect((error as AppError).retryAfterMs).toBe(30_000);
    expect((error as AppError).userMessage).toMatch(/rate-limiting mailferry \(chat\.postMessage\) and asked it to wait 30 s/);
    expect(sim.topLevelMessages('C2')).toHaveLength(0);
  });

  it('counts every wait against the budget: 1 s refusals past a 2.5 s budget give up on the third', async () => {
    const web = new SlackWeb({ token: TOKEN, apiUrl: sim.apiUrl, log: createLogger('silent'), maxInlineWaitMs: 2500 });
    for (let i = 0; i < 5; i += 1) sim.failNext('chat.postMessage', { retryAfter: 1 });
    const error = await web.call('chat.postMessage', { channel: 'C8', text: 'x' }).catch((e: unknown) => e);
    expect(AppError.is(error, 'THROTTLED')).toBe(true);
    expect(sim.callsTo('chat.postMessage').map((c) => c.outcome)).toEqual(['ratelimited', 'ratelimited', 'ratelimited']);
    expect(sim.topLevelMessages('C8')).toHaveLength(0);
  });

  it('enforces the chat.update budget per workspace (Tier 3, configurable)', async () => {
    const s = sender();
    const ref = await s.post('slack:T1:C3', notice('v0'));
    for (let i = 1; i <= 3; i += 1) await s.update(ref, notice(`v${i}`));
    // The 4th edit within a minute is refused for ~60 s: too long to wait inside a turn.
    const error = await s.update(ref, notice('v4')).catch((e: unknown) => e);
    expect(AppError.is(error, 'THROTTLED')).toBe(true);
    expect((error as AppError).retryAfterMs).toBeGreaterThan(30_000);
    expect(JSON.stringify(sim.message(ref.messageId)!.blocks)).toContain('v3');
  });

  it('refuses messages over the Block Kit budget with invalid_blocks, like Slack', async () => {
    const web = new SlackWeb({ token: TOKEN, apiUrl: sim.apiUrl, log: createLogger('silent') });
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `row ${i}` } }));
    await expect(web.call('chat.postMessage', { channel: 'C4', text: 'x', blocks: tooMany })).rejects.toMatchObject({ slackError: 'invalid_blocks' });
    const longText = [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }];
    await expect(web.call('chat.postMessage', { channel: 'C5', text: 'x', blocks: longText })).rejects.toMatchObject({ slackError: 'invalid_blocks' });
    expect(sim.messages.size).toBe(0);
  });

  it('rejects a wrong token as Slack does', async () => {
    const web = new SlackWeb({ token: 'xoxb-wrong', apiUrl: sim.apiUrl, log: createLogger('silent') });
    await expect(web.call('auth.test', {})).rejects.toMatchObject({ slackError: 'invalid_auth' });
  });

  it('uploads a file with files.uploadV2 (getUploadURLExternal, upload, completeUploadExternal)', async () => {
    const web = new SlackWeb({ token: TOKEN, apiUrl: sim.apiUrl, log: createLogger('silent') });
    await web.uploadText({ channel: 'C6', filename: 'mapping.csv', content: 'source,destination\na@x,b@y\n', comment: 'The mapping' });
    expect(sim.calls.map((c) => c.method)).toEqual(['files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
    const [shared] = sim.topLevelMessages('C6');
    expect(shared!.text).toBe('The mapping');
    expect(shared!.files![0]).toMatchObject({ title: 'mapping.csv', content: 'source,destination\na@x,b@y\n' });
  });
});
