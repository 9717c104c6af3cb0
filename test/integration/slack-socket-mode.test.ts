/**
 * Socket Mode (SLACK_APP_TOKEN set): the app opens a WebSocket through apps.connections.open
 * instead of serving /slack/events, acks each envelope at once and answers through the Web API,
 * like over HTTP. The simulator plays Slack's side of the socket. An event Slack re-delivers on the
 * socket (a new envelope, same event_id, retry_attempt set) is acked and answered only once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { SlackApiSimulator } from '../simulators/slack/slack-api-simulator.js';
import { eventCallbackBody, slashCommandBody } from '../simulators/slack/slack-signer.js';
import { eventually } from '../simulators/slack/eventually.js';

const TOKEN = 'xoxb-socket-test';
const APP_TOKEN = 'xapp-1-socket-test';

describe('Slack over Socket Mode', () => {
  let sim: SlackApiSimulator;
  let app: TestApp;

  beforeAll(async () => {
    sim = await SlackApiSimulator.start({ botToken: TOKEN, appToken: APP_TOKEN, teamId: 'TSOCK' });
    sim.addUser({ id: 'USOCK1', name: 'ada' });
    app = await startTestApp({ SLACK_BOT_TOKEN: TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: sim.apiUrl });
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('connects with the app token and serves no HTTP endpoint', async () => {
    await sim.socketMode.whenConnected();
    expect(sim.callsTo('apps.connections.open').at(-1)!.outcome).toBe('ok');
    const response = await fetch(`${app.url}/slack/events`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(404);
  });

  it('acks a slash command envelope at once and answers in the channel', async () => {
    await sim.socketMode.whenConnected();
    const { body } = slashCommandBody(sim, { userId: 'USOCK1', userName: 'ada', teamId: 'TSOCK', teamDomain: 'sock', channelId: 'CSOCK' }, 'help');
    const started = Date.now();
    const ack = await sim.socketMode.deliver('slash_commands', Object.fromEntries(body));
    expect(ack.ackMs).toBeLessThan(1000);
    const answer = await eventually(() => sim.calls.find((c) => c.at >= started && (c.method === 'chat.postMessage' || c.method === 'chat.postEphemeral') && c.args.channel === 'CSOCK'));
    expect(JSON.stringify(answer.args)).toContain('/migrate');
  });

  it('acks a re-delivered event envelope (same event_id, retry_attempt 1) and answers the mention once', async () => {
    await sim.socketMode.whenConnected();
    const who = { userId: 'USOCK1', userName: 'ada', teamId: 'TSOCK', teamDomain: 'sock', channelId: 'CSOCK2' };
    const payload = JSON.parse(eventCallbackBody(who, { type: 'app_mention', user: 'USOCK1', text: `<@${sim.botUserId}> help`, channel: 'CSOCK2', ts: '1700000200.000100' })) as Record<string, unknown>;
    const started = Date.now();
    const first = await sim.socketMode.deliver('events_api', payload);
    const retried = await sim.socketMode.deliver('events_api', payload, { attempt: 1, reason: 'timeout' });
    expect(first.ackMs).toBeLessThan(1000);
    expect(retried.ackMs).toBeLessThan(1000);
    await eventually(() => sim.calls.find((c) => c.at >= started && c.method === 'chat.postMessage' && c.args.channel === 'CSOCK2'));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(sim.topLevelMessages('CSOCK2')).toHaveLength(1);
  });
});
