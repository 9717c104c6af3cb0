import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatContext, ChatSender, Dispatcher } from '../../src/bot/context.js';
import { mountTeams } from '../../src/bot/teams/teams-adapter.js';
import type { Engine } from '../../src/engine/index.js';
import { AppError } from '../../src/errors.js';
import { parseEnv } from '../../src/env.js';
import { createLogger } from '../../src/log.js';
import { ConnectorSimulator } from '../simulators/teams/connector-simulator.js';
import { ALEX, TeamsClient, channelConversation, personalConversation } from '../simulators/teams/activities.js';

/**
 * The Teams transport alone, through the protocol: activities in over HTTP, connector calls out
 * to the simulator. The dispatcher is scripted per test so each transport path (invoke answers,
 * private replies, throttling, failures) is exercised on purpose; the full bot is covered by the
 * teams-flow tests.
 */
type Script = (ctx: ChatContext, input: { text?: string; verb?: unknown; data?: unknown }) => Promise<void>;

const refs = new Map<string, { orgId: string; platform: 'slack' | 'teams'; reference: Record<string, unknown> }>();
const engine = {
  async saveConversationRef(p: { channelKey: string; orgId: string; platform: 'slack' | 'teams'; reference: Record<string, unknown> }) {
    refs.set(p.channelKey, { orgId: p.orgId, platform: p.platform, reference: p.reference });
  },
  async getConversationRef(key: string) {
    return refs.get(key) ?? null;
  },
} as unknown as Engine;

let script: Script = async () => undefined;
const seen: ChatContext[] = [];
const dispatcher: Dispatcher = {
  async command(ctx, text) {
    seen.push(ctx);
    await script(ctx, { text });
  },
  async action(ctx, verb, data) {
    seen.push(ctx);
    await script(ctx, { verb, data });
  },
};

const sim = new ConnectorSimulator();
let server: Server;
let client: TeamsClient;
let sender: ChatSender;

beforeAll(async () => {
  await sim.start();
  const app = express();
  const env = parseEnv({ LOG_LEVEL: 'silent' });
  ({ sender } = await mountTeams(app, { env, engine, dispatcher, log: createLogger('silent') }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  client = new TeamsClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, sim.url);
});

afterAll(async () => {
  server?.close();
  await sim.stop();
});

beforeEach(() => {
  seen.length = 0;
  sim.setThrottle({});
});

const notice = (title: string) => ({ kind: 'notice' as const, tone: 'info' as const, title });

describe('Teams transport', () => {
  it('turns a channel message into a command with the bot mention removed and user mentions normalised', async () => {
    const texts: string[] = [];
    script = async (ctx, input) => {
      texts.push(String(input.text));
      await ctx.reply(notice('hello'));
    };
    const channel = channelConversation('transport');
    const activity = client.message(ALEX, channel, 'roles add <at>Megan Bowen</at> helpdesk', {});
    (activity.entities as unknown[]).push({ type: 'mention', text: '<at>Megan Bowen</at>', mentioned: { id: 'user-id-1', name: 'Megan Bowen', aadObjectId: 'aad-megan' } });
    const res = await client.post(activity);
    expect(res.status).toBe(200);
    expect(texts).toEqual(['roles add <@aad-megan> helpdesk']);
    const ctx = seen[0]!;
    expect(ctx.platform).toBe('teams');
    expect(ctx.org.id).toBe('teams:00000000-0000-0000-0000-0000000000001');
    expect(ctx.actor).toEqual({ id: ALEX.aadObjectId, name: 'Alex Wilber', platformAdmin: false });
    expect(ctx.channel).toEqual({ key: `teams:${channel.id}`, direct: false });
    const sent = sim.sentTo(channel.id);
    expect(sent).toHaveLength(1);
    expect(ConnectorSimulator.cardOf(sent[0]!.activity)).toMatchObject({ type: 'AdaptiveCard' });
    // No app id: outgoing calls carry no token.
    expect(sim.calls.every((c) => c.authorization === undefined)).toBe(true);
    expect(refs.get(`teams:${channel.id}`)?.orgId).toBe('teams:00000000-0000-0000-0000-0000000000001');
  });

  it('passes the command text the dispatcher expects', async () => {
    const texts: string[] = [];
    script = async (_ctx, input) => void texts.push(String(input.text));
    await client.send(ALEX, channelConversation('t2'), 'new');
    await client.send(ALEX, personalConversation(ALEX), '/migrate scan acme');
    await client.send(ALEX, personalConversation(ALEX), 'status&nbsp;acme');
    expect(texts).toEqual(['new', 'scan acme', 'status acme']);
  });

  it('answers an invoke with the card given to respond()', async () => {
    script = async (ctx) => ctx.respond(notice('replaced'));
    const res = await client.click(ALEX, channelConversation('t3'), 'project.show', { projectId: 'p1' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: { type: 'AdaptiveCard' } });
    expect(JSON.stringify(res.body)).toContain('replaced');
    expect(seen[0]!.channel.direct).toBe(false);
  });

  it('answers an invoke with a private message when the action only replied privately (card unchanged)', async () => {
    script = async (ctx) => ctx.replyPrivately({ kind: 'refusal', action: 'scan a project', allowedRoles: ['admin'], yourRoles: [] });
    const before = sim.calls.length;
    const res = await client.click(ALEX, channelConversation('t4'), 'scan.start', { projectId: 'p1' });
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
    expect(String((res.body as { value: string }).value)).toContain('admin');
    // Nothing was posted or edited in the channel.
    expect(sim.calls.length).toBe(before);
  });

  it('never lets an invoke time out: a throwing action becomes an error response', async () => {
    script = async () => {
      throw new AppError('NOT_FOUND', 'No project called “nope”.');
    };
    const res = await client.click(ALEX, channelConversation('t5'), 'project.show', { projectId: 'nope' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'NOT_FOUND', message: 'No project called “nope”.' } });
    script = async () => {
      throw new Error('db exploded with secret=hunter2');
    };
    const res2 = await client.click(ALEX, channelConversation('t5'), 'project.show', { projectId: 'x' });
    expect(res2.body).toMatchObject({ statusCode: 500, type: 'application/vnd.microsoft.error', value: { code: 'INTERNAL' } });
    expect(JSON.stringify(res2.body)).not.toContain('hunter2');
  });

  it('routes an Action.Submit message (value, no text) to the action', async () => {
    const got: unknown[] = [];
    script = async (_ctx, input) => void got.push(input.verb, input.data);
    await client.post(client.message(ALEX, personalConversation(ALEX), '', { text: undefined, value: { verb: 'help' } }));
    expect(got[0]).toBe('help');
  });

  it('sends a private answer asked for in a channel as a 1:1 chat, never in the channel', async () => {
    script = async (ctx) => ctx.replyPrivately(notice('only for you'));
    const channel = channelConversation('t6');
    await client.send(ALEX, channel, 'status');
    expect(sim.sentTo(channel.id)).toHaveLength(0);
    const created = [...sim.createdConversations.values()].at(-1);
    expect(created).toMatchObject({ isGroup: false, members: [{ id: ALEX.id }], tenantId: '00000000-0000-0000-0000-0000000000001' });
    const oneOnOne = `a:1on1-${ALEX.id}`;
    expect(sim.calls.filter((c) => c.method === 'POST' && c.conversationId === oneOnOne).every((c) => c.activityId === null)).toBe(true);
    expect(JSON.stringify(sim.sentTo(oneOnOne).at(-1)?.activity)).toContain('only for you');
  });

  it('posts and edits proactively through the stored reference, retrying 429s', async () => {
    const channel = channelConversation('t7');
    script = async () => undefined;
    await client.send(ALEX, channel, 'hello');
    sim.setThrottle({ throttleEvery: 2, retryAfterSeconds: 0 });
    const ref = await sender.post(`teams:${channel.id}`, notice('living v1'));
    await sender.update(ref, notice('living v2'));
    await sender.update(ref, notice('living v3'));
    const posted = sim.sentTo(channel.id);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.id).toBe(ref.messageId);
    // A proactive post is a new message (sendToConversation), not a reply to a synthetic activity.
    expect(sim.calls.filter((c) => c.method === 'POST' && c.conversationId === channel.id && c.status === 200).map((c) => c.activityId)).toEqual([null]);
    expect(JSON.stringify(posted[0]!.activity)).toContain('living v3');
    expect(sim.calls.some((c) => c.status === 429)).toBe(true);
  });

  it('refuses anonymous activities when the server is not on loopback', async () => {
    const exposed = express();
    // Configured for all interfaces without TEAMS_APP_ID (bound to loopback here only so the test can reach it).
    await mountTeams(exposed, { env: parseEnv({ HOST: '0.0.0.0' }), engine, dispatcher, log: createLogger('silent') });
    const other = exposed.listen(0, '127.0.0.1');
    await new Promise((r) => other.once('listening', r));
    try {
      const outsider = new TeamsClient(`http://127.0.0.1:${(other.address() as AddressInfo).port}`, sim.url);
      const res = await outsider.send(ALEX, personalConversation(ALEX), 'help');
      expect(res.status).toBe(401);
      expect(JSON.stringify(res.body)).toContain('TEAMS_APP_ID');
      expect(seen).toHaveLength(0);
    } finally {
      other.close();
    }
  });

  it('requires a Bot Framework token once TEAMS_APP_ID is set', async () => {
    const secured = express();
    await mountTeams(secured, { env: parseEnv({ TEAMS_APP_ID: 'app-id', TEAMS_APP_PASSWORD: 'pw', TEAMS_APP_TENANT_ID: 'tenant' }), engine, dispatcher, log: createLogger('silent') });
    const other = secured.listen(0, '127.0.0.1');
    await new Promise((r) => other.once('listening', r));
    try {
      const outsider = new TeamsClient(`http://127.0.0.1:${(other.address() as AddressInfo).port}`, sim.url);
      const res = await outsider.send(ALEX, personalConversation(ALEX), 'help');
      expect(res.status).toBe(401);
      expect(seen).toHaveLength(0);
    } finally {
      other.close();
    }
  });

  it('posts a thread reply under a card in a channel', async () => {
    const channel = channelConversation('t9');
    script = async () => undefined;
    // The last turn happened inside a thread: proactive posts still go to the channel itself.
    await client.post(client.message(ALEX, { ...channel, id: `${channel.id};messageid=old-thread` }, 'hello'));
    const root = await sender.post(`teams:${channel.id}`, notice('root'));
    const reply = await sender.post(`teams:${channel.id}`, notice('detail'), { threadOf: root.messageId });
    expect(sim.activities.get(root.messageId)?.replyToId).toBeNull();
    const stored = sim.activities.get(reply.messageId);
    expect(stored).toMatchObject({ conversationId: channel.id, replyToId: root.messageId });
    expect(decodeURIComponent(sim.calls.at(-1)!.path)).toContain(`;messageid=${root.messageId}`);
  });

  it('in a group chat, which has no threads, answers threadOf with a reply to the card activity', async () => {
    const chat = { id: '19:run-group@thread.v2', type: 'groupChat' as const };
    script = async () => undefined;
    await client.send(ALEX, chat, 'hello');
    const root = await sender.post(`teams:${chat.id}`, notice('root'));
    const reply = await sender.post(`teams:${chat.id}`, notice('detail'), { threadOf: root.messageId });
    expect(sim.activities.get(reply.messageId)).toMatchObject({ conversationId: chat.id, replyToId: root.messageId });
    expect(decodeURIComponent(sim.calls.at(-1)!.path)).toBe(`/v3/conversations/${chat.id}/activities/${root.messageId}`);
  });

  it('gives up on a connector that keeps throttling with THROTTLED', async () => {
    const channel = channelConversation('t8');
    script = async () => undefined;
    await client.send(ALEX, channel, 'hello');
    sim.setThrottle({ throttleEvery: 1, retryAfterSeconds: 0 });
    await expect(sender.post(`teams:${channel.id}`, notice('never'))).rejects.toSatisfy((e) => AppError.is(e, 'THROTTLED'));
  });
});
