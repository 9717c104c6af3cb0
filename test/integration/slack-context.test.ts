/**
 * The Slack ChatContext's answers as a Slack user sees them in the Web API simulator: the clicked
 * card replaced in place (chat.update, or response_url for an ephemeral card, which has no ts
 * chat.update accepts), private answers, and a file export falling back to a code block when the
 * upload is refused.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { View } from '../../src/cards/views.js';
import { createSlackContext, type SlackTurn } from '../../src/bot/slack/slack-context.js';
import { SlackWeb } from '../../src/bot/slack/slack-web.js';
import { createLogger } from '../../src/log.js';
import { SlackApiSimulator } from '../simulators/slack/slack-api-simulator.js';

const TOKEN = 'xoxb-context-test';
const notice = (title: string): View => ({ kind: 'notice', tone: 'info', title });

describe('Slack chat context', () => {
  let sim: SlackApiSimulator;
  let web: SlackWeb;
  const log = createLogger('silent');
  const base: SlackTurn = { kind: 'action', teamId: 'T1', teamName: 'acme', userId: 'U1', userName: 'Ada', platformAdmin: false, channelId: 'C1' };

  beforeEach(async () => {
    sim = await SlackApiSimulator.start({ botToken: TOKEN });
    sim.addUser({ id: 'U1', name: 'ada' });
    web = new SlackWeb({ token: TOKEN, apiUrl: sim.apiUrl, log });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('respond() edits the message whose button was clicked, in place', async () => {
    const posted = await createSlackContext({ ...base, kind: 'command' }, { web, log }).reply(notice('before'));
    const ctx = createSlackContext({ ...base, source: { channelId: 'C1', ts: posted.messageId, ephemeral: false } }, { web, log });
    await ctx.respond(notice('after'));
    expect(sim.topLevelMessages('C1')).toHaveLength(1);
    expect(JSON.stringify(sim.message(posted.messageId)!.blocks)).toContain('after');
  });

  it('respond() replaces an ephemeral card through its response_url', async () => {
    await createSlackContext(base, { web, log }).replyPrivately(notice('private before'));
    const [ephemeral] = sim.ephemerals;
    const responseUrl = sim.newResponseUrl({ channel: 'C1', user: 'U1', messageTs: ephemeral!.messageTs, ephemeral: true });
    const ctx = createSlackContext({ ...base, responseUrl, source: { channelId: 'C1', ts: ephemeral!.messageTs, ephemeral: true } }, { web, log });
    await ctx.respond(notice('private after'));
    expect(sim.ephemerals).toHaveLength(1);
    expect(ephemeral!.replaced).toBe(1);
    expect(JSON.stringify(ephemeral!.blocks)).toContain('private after');
    expect(sim.callsTo('chat.update')).toHaveLength(0);
    expect(sim.topLevelMessages('C1')).toHaveLength(0);
  });

  it('exposes the platform-neutral identity of the turn', () => {
    const ctx = createSlackContext({ ...base, channelId: 'D42', platformAdmin: true }, { web, log });
    expect(ctx.org).toEqual({ id: 'slack:T1', name: 'acme' });
    expect(ctx.actor).toEqual({ id: 'U1', name: 'Ada', platformAdmin: true });
    expect(ctx.channel).toEqual({ key: 'slack:T1:D42', direct: true });
  });

  it('sendFile() uploads with files.uploadV2, or posts a code block when the upload is refused', async () => {
    const ctx = createSlackContext({ ...base, kind: 'command' }, { web, log });
    await ctx.sendFile!('mapping.csv', 'a@x,b@y\n', 'Mapping of acme');
    expect(sim.topLevelMessages('C1')[0]!.files![0]!.content).toBe('a@x,b@y\n');

    sim.failNext('files.getUploadURLExternal', { error: 'not_allowed_token_type' });
    await ctx.sendFile!('mapping.csv', 'c@x,d@y\n', 'Mapping of acme');
    const fallback = sim.topLevelMessages('C1')[1]!;
    expect(fallback.text).toContain('```\nc@x,d@y\n');
    expect(fallback.text).toContain('Mapping of acme');
  });
});
