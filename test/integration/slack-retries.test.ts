/**
 * What a Slack user sees when Slack and mailferry retry, through the real app over HTTP: a command
 * whose card is refused with 429 three times in a row still gets its card; one refused past the
 * 30 s budget gets a private "slowed down" answer saying what to do; and an event Slack re-delivers
 * (same event_id, X-Slack-Retry-Num) is acked at once and answered only once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { SlackApiSimulator } from '../simulators/slack/slack-api-simulator.js';
import { eventCallbackBody, signedSlackRequest, type SlackActor } from '../simulators/slack/slack-signer.js';
import { SlackTestUser } from '../simulators/slack/slack-test-user.js';
import { visibleText } from '../simulators/slack/slack-visible-text.js';
import { eventually } from '../simulators/slack/eventually.js';

const SECRET = 'signing-secret-for-retries';
const TOKEN = 'xoxb-retries-test';
const ADMIN = 'URETRY1';

describe('Slack retries, as a user sees them', () => {
  let sim: SlackApiSimulator;
  let app: TestApp;
  let eventsUrl: string;
  const actor = (channelId: string): SlackActor => ({ userId: ADMIN, userName: 'ada', teamId: 'TRETRY', teamDomain: 'retrycorp', channelId });
  const postsTo = (channel: string, since: number) => sim.callsTo('chat.postMessage').filter((c) => c.at >= since && c.args.channel === channel);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));

  beforeAll(async () => {
    sim = await SlackApiSimulator.start({ botToken: TOKEN, teamId: 'TRETRY' });
    sim.addUser({ id: ADMIN, name: 'ada', realName: 'Ada Admin' });
    app = await startTestApp({ SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: sim.apiUrl, MAILFERRY_ADMINS: ADMIN });
    eventsUrl = `${app.url}/slack/events`;
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('a command whose answer Slack refuses three times in a row (429) still gets its card', async () => {
    const user = new SlackTestUser(sim, eventsUrl, SECRET, actor('CBUSY'));
    for (let i = 0; i < 3; i += 1) sim.failNext('chat.postMessage', { retryAfter: 1 });
    const started = Date.now();
    const sent = await user.command('help');
    expect(sent.ackMs).toBeLessThan(1000);
    await eventually(() => sim.topLevelMessages('CBUSY')[0], { what: 'the help card', timeoutMs: 10_000 });
    expect(postsTo('CBUSY', started).map((c) => c.outcome)).toEqual(['ratelimited', 'ratelimited', 'ratelimited', 'ok']);
    expect(visibleText(sim.topLevelMessages('CBUSY')[0]!)).toContain('/migrate');
    expect(sim.ephemerals.filter((e) => e.channel === 'CBUSY')).toHaveLength(0);
  });

  it('past the 30 s budget the user is told privately that Slack slowed mailferry down, and what to do', async () => {
    const user = new SlackTestUser(sim, eventsUrl, SECRET, actor('CJAM'));
    sim.failNext('chat.postMessage', { retryAfter: 1 });
    sim.failNext('chat.postMessage', { retryAfter: 30 });
    const started = Date.now();
    await user.command('help');
    const told = await eventually(() => sim.ephemerals.find((e) => e.channel === 'CJAM' && e.user === ADMIN), { what: 'the private notice', timeoutMs: 10_000 });
    // It waited out the first second, not 30 more.
    expect(Date.now() - started).toBeLessThan(10_000);
    const text = `${told.text} ${JSON.stringify(told.blocks)}`;
    expect(text).toContain('Slowed down by the platform');
    expect(text).toMatch(/asked it to wait 30 s/);
    expect(text).toMatch(/run it again/);
    expect(sim.topLevelMessages('CJAM')).toHaveLength(0);
  });

  it('an @mention Slack re-delivers (same event_id, X-Slack-Retry-Num) is acked at once and answered once', async () => {
    const body = eventCallbackBody(actor('CMENTION'), { type: 'app_mention', user: ADMIN, text: `<@${sim.botUserId}> help`, channel: 'CMENTION', ts: '1700000100.000100' });
    const started = Date.now();
    // Slack's http_timeout retry arrives while the first delivery is still being worked on; a later one after a minute.
    const [first, retry] = await Promise.all([
      signedSlackRequest(eventsUrl, SECRET, body, { contentType: 'application/json' }),
      signedSlackRequest(eventsUrl, SECRET, body, { contentType: 'application/json', retry: { num: 1, reason: 'http_timeout' } }),
    ]);
    expect([first.status, retry.status]).toEqual([200, 200]);
    await eventually(() => postsTo('CMENTION', started).find((c) => c.outcome === 'ok'), { what: 'the answer to the mention' });
    const late = performance.now();
    const again = await signedSlackRequest(eventsUrl, SECRET, body, { contentType: 'application/json', retry: { num: 2, reason: 'http_error' } });
    expect(again.status).toBe(200);
    expect(performance.now() - late).toBeLessThan(1000);
    await settle();
    expect(sim.topLevelMessages('CMENTION')).toHaveLength(1);
    expect(postsTo('CMENTION', started)).toHaveLength(1);
  });

  it('a re-delivered DM runs its command once, while a new message with the same words runs again', async () => {
    const dm = actor('DRETRY1');
    const event = { type: 'message', channel_type: 'im', user: ADMIN, text: 'help', channel: 'DRETRY1' };
    const body = eventCallbackBody(dm, event);
    const started = Date.now();
    await signedSlackRequest(eventsUrl, SECRET, body, { contentType: 'application/json' });
    await eventually(() => postsTo('DRETRY1', started).find((c) => c.outcome === 'ok'), { what: 'the answer to the DM' });
    await signedSlackRequest(eventsUrl, SECRET, body, { contentType: 'application/json', retry: { num: 1, reason: 'http_timeout' } });
    await settle();
    expect(postsTo('DRETRY1', started)).toHaveLength(1);
    // Typing `help` again is a new event (new event_id): it is answered.
    await signedSlackRequest(eventsUrl, SECRET, eventCallbackBody(dm, event), { contentType: 'application/json' });
    await eventually(() => postsTo('DRETRY1', started).length === 2 || undefined, { what: 'the second answer' });
  });
});
