/**
 * Slack's request signing and ack-first behaviour, through the real app over HTTP: a forged or
 * stale signature is refused with 401 and does nothing; a good one is answered at once even though
 * the work behind it (users.info, the engine, chat.postMessage) finishes later. Also: a user with
 * no role gets a private refusal and the denial is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { SlackApiSimulator } from '../simulators/slack/slack-api-simulator.js';
import { eventCallbackBody, signedSlackRequest, slackSignature, slashCommandBody, type SlackActor } from '../simulators/slack/slack-signer.js';
import { SlackTestUser } from '../simulators/slack/slack-test-user.js';
import { eventually } from '../simulators/slack/eventually.js';

const SECRET = 'signing-secret-for-tests';
const TOKEN = 'xoxb-signature-test';
const ADMIN = 'UADMIN1';
const NOBODY = 'UNOBODY1';

describe('Slack /slack/events signature and ack', () => {
  let sim: SlackApiSimulator;
  let app: TestApp;
  let eventsUrl: string;
  const actor = (userId: string, userName: string): SlackActor => ({ userId, userName, teamId: 'TSIG', teamDomain: 'sigcorp', channelId: 'CSIG' });

  beforeAll(async () => {
    sim = await SlackApiSimulator.start({ botToken: TOKEN, teamId: 'TSIG' });
    sim.addUser({ id: ADMIN, name: 'ada', realName: 'Ada Admin' });
    sim.addUser({ id: NOBODY, name: 'nemo', realName: 'Nemo Nobody' });
    app = await startTestApp({ SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: sim.apiUrl, MAILFERRY_ADMINS: ADMIN });
    eventsUrl = `${app.url}/slack/events`;
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('refuses a forged signature with 401 and does nothing', async () => {
    const before = sim.calls.length;
    const { body } = slashCommandBody(sim, actor(ADMIN, 'ada'), 'help');
    const response = await signedSlackRequest(eventsUrl, 'not-the-secret', body);
    expect(response.status).toBe(401);
    // A body changed after signing is forged too.
    const raw = body.toString();
    const ts = Math.floor(Date.now() / 1000);
    const tampered = await signedSlackRequest(eventsUrl, SECRET, raw.replace('text=help', 'text=roles'), { timestamp: ts, signature: slackSignature(SECRET, ts, raw) });
    expect(tampered.status).toBe(401);
    const unsigned = await fetch(eventsUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: raw });
    expect(unsigned.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sim.calls.length).toBe(before);
  });

  it('refuses a correctly signed request older than 5 minutes (replay) with 401', async () => {
    const before = sim.calls.length;
    const { body } = slashCommandBody(sim, actor(ADMIN, 'ada'), 'help');
    const response = await signedSlackRequest(eventsUrl, SECRET, body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(response.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sim.calls.length).toBe(before);
  });

  it('acks a good request in well under a second, then answers through the Web API', async () => {
    const user = new SlackTestUser(sim, eventsUrl, SECRET, actor(ADMIN, 'ada'));
    // Make the work slow: users.info waits for a 2 s Retry-After before the answer can be built.
    sim.failNext('users.info', { retryAfter: 2 });
    const started = Date.now();
    const sent = await user.command('help');
    expect(sent.response.status).toBe(200);
    expect(sent.ackMs).toBeLessThan(1000);
    const answered = await eventually(() => sim.calls.find((c) => c.at >= started && (c.method === 'chat.postMessage' || c.method === 'chat.postEphemeral') && c.outcome === 'ok'));
    expect(answered.at - started).toBeGreaterThanOrEqual(2000);
    expect(JSON.stringify(answered.args)).toContain('/migrate');
  });

  it('answers a user without a role privately and audits the denial', async () => {
    const user = new SlackTestUser(sim, eventsUrl, SECRET, actor(NOBODY, 'nemo'));
    const postsBefore = sim.callsTo('chat.postMessage').length;
    const sent = await user.command('scan acme');
    expect(sent.response.status).toBe(200);
    const ephemeral = await eventually(() => sim.ephemerals.find((e) => e.user === NOBODY));
    expect(ephemeral.channel).toBe('CSIG');
    expect(`${ephemeral.text} ${JSON.stringify(ephemeral.blocks)}`).toMatch(/admin/i);
    expect(sim.callsTo('chat.postEphemeral').at(-1)!.args).toMatchObject({ channel: 'CSIG', user: NOBODY });
    // Nothing visible to the channel.
    expect(sim.callsTo('chat.postMessage').length).toBe(postsBefore);
    const audit = await eventually(async () => (await app.engine.listAudit('slack:TSIG', 50)).find((a) => a.actor.includes(NOBODY) && a.outcome === 'denied'));
    expect(audit.outcome).toBe('denied');
  });

  it('answers Slack’s url_verification challenge (Events API setup)', async () => {
    const body = JSON.stringify({ token: 't', challenge: 'challenge-123', type: 'url_verification' });
    const response = await signedSlackRequest(eventsUrl, SECRET, body, { contentType: 'application/json' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: 'challenge-123' });
  });

  it('treats an @mention as a command, without the mention, and answers in the channel', async () => {
    const body = eventCallbackBody(actor(ADMIN, 'ada'), { type: 'app_mention', user: ADMIN, text: `<@${sim.botUserId}> help`, channel: 'CSIG', ts: '1700000000.000100' });
    const started = Date.now();
    const response = await signedSlackRequest(eventsUrl, SECRET, body, { contentType: 'application/json' });
    expect(response.status).toBe(200);
    const post = await eventually(() => sim.callsTo('chat.postMessage').find((c) => c.at >= started && c.args.channel === 'CSIG'));
    expect(JSON.stringify(post.args)).toContain('/migrate');
  });

  it('answers a direct message in the DM and ignores bot messages', async () => {
    const dm = { ...actor(ADMIN, 'ada'), channelId: 'DADA1' };
    const started = Date.now();
    await signedSlackRequest(eventsUrl, SECRET, eventCallbackBody(dm, { type: 'message', channel_type: 'im', user: 'UOTHERBOT', bot_id: 'B9', text: 'help', channel: 'DADA1' }), { contentType: 'application/json' });
    const response = await signedSlackRequest(eventsUrl, SECRET, eventCallbackBody(dm, { type: 'message', channel_type: 'im', user: ADMIN, text: 'help', channel: 'DADA1' }), { contentType: 'application/json' });
    expect(response.status).toBe(200);
    await eventually(() => sim.callsTo('chat.postMessage').find((c) => c.at >= started && c.args.channel === 'DADA1'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sim.callsTo('chat.postMessage').filter((c) => c.at >= started && c.args.channel === 'DADA1')).toHaveLength(1);
  });

  it('falls back to a DM when an ephemeral cannot reach the user in that channel', async () => {
    // A private channel the user is not in (Slack: user_not_in_channel).
    sim.channelMembers.set('CPRIVATE', new Set([ADMIN]));
    const user = new SlackTestUser(sim, eventsUrl, SECRET, { ...actor(NOBODY, 'nemo'), channelId: 'CPRIVATE' });
    const started = Date.now();
    await user.command('scan acme');
    const dm = await eventually(() => sim.callsTo('chat.postMessage').find((c) => c.at >= started && String(c.args.channel).startsWith('D')));
    expect(sim.callsTo('chat.postEphemeral').find((c) => c.at >= started)!.outcome).toBe('user_not_in_channel');
    expect(sim.callsTo('conversations.open').at(-1)!.args).toMatchObject({ users: NOBODY });
    expect(JSON.stringify(dm.args)).toMatch(/admin/i);
    expect(sim.topLevelMessages('CPRIVATE')).toHaveLength(0);
  });

  it('keeps a modal open with the field errors in the ack when a submission is invalid', async () => {
    const user = new SlackTestUser(sim, eventsUrl, SECRET, actor(ADMIN, 'ada'));
    const opened = sim.views.length;
    await user.command('new');
    await eventually(() => sim.views.length > opened);
    const sent = await user.submit(user.lastView()!, { name: '   ', source: 'imap', destination: 'imap' });
    expect(sent.response.status).toBe(200);
    expect(sent.ackMs).toBeLessThan(1000);
    const ack = JSON.parse(sent.body) as { response_action: string; errors: Record<string, string> };
    expect(ack.response_action).toBe('errors');
    expect(Object.keys(ack.errors)).toEqual(['name']);
  });

  it('says privately to retry when the modal trigger has expired', async () => {
    const user = new SlackTestUser(sim, eventsUrl, SECRET, actor(ADMIN, 'ada'));
    sim.failNext('views.open', { error: 'trigger_expired' });
    const started = Date.now();
    await user.command('new');
    const notice = await eventually(() => sim.ephemerals.find((e) => e.user === ADMIN && /could not open/.test(`${e.text} ${JSON.stringify(e.blocks)}`)));
    expect(JSON.stringify(notice.blocks)).toContain('Project name');
    expect(sim.callsTo('views.open').filter((c) => c.at >= started).map((c) => c.outcome)).toEqual(['trigger_expired']);
  });
});
