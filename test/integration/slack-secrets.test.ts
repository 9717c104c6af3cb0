/**
 * Neither the bot token nor the signing secret ever reaches a log line, even at debug level where
 * Bolt and the WebClient log their requests, and even on the paths that log failures (a forged
 * signature, a rate limit, a Slack error). The logger here has no redaction of its own, so
 * only code that never logs a secret passes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/env.js';
import { startApp, type RunningApp } from '../../src/main.js';
import { SlackApiSimulator } from '../simulators/slack/slack-api-simulator.js';
import { signedSlackRequest, slashCommandBody } from '../simulators/slack/slack-signer.js';
import { SlackTestUser } from '../simulators/slack/slack-test-user.js';
import { eventually } from '../simulators/slack/eventually.js';

const SECRET = `whsec-${randomBytes(12).toString('hex')}`;
const TOKEN = `xoxb-${randomBytes(12).toString('hex')}`;
const ADMIN = 'USECRETS1';

describe('Slack secrets stay out of the logs', () => {
  let sim: SlackApiSimulator;
  let app: RunningApp;
  const lines: string[] = [];

  beforeAll(async () => {
    sim = await SlackApiSimulator.start({ botToken: TOKEN, teamId: 'TSEC' });
    sim.addUser({ id: ADMIN, name: 'ada' });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const env = parseEnv({
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', PORT: '0', HOST: '127.0.0.1', MAILFERRY_DATA_DIR: 'memory://',
      MAILFERRY_QUEUE_PREFIX: `test-${randomUUID().slice(0, 8)}`, MAILFERRY_DEMO: 'off', MAILFERRY_SECRET_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'debug', SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: sim.apiUrl, MAILFERRY_ADMINS: ADMIN,
    });
    app = await startApp(env, { log: pino({ level: 'trace' }, sink) });
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('logs neither the token nor the signing secret', async () => {
    const actor = { userId: ADMIN, userName: 'ada', teamId: 'TSEC', teamDomain: 'sec', channelId: 'CSEC' };
    const user = new SlackTestUser(sim, `${app.url}/slack/events`, SECRET, actor);
    expect((await signedSlackRequest(`${app.url}/slack/events`, 'forged', slashCommandBody(sim, actor, 'help').body)).status).toBe(401);
    sim.failNext('users.info', { retryAfter: 1 });
    sim.failNext('chat.postMessage', { error: 'internal_error' });
    const started = Date.now();
    await user.command('help');
    await user.command('projects');
    await eventually(() => sim.calls.filter((c) => c.at >= started && (c.method === 'chat.postMessage' || c.method === 'chat.postEphemeral')).length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const all = lines.join('');
    // The logger did see Slack traffic, so the check below is not vacuous.
    expect(all).toMatch(/slack/i);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(SECRET);
  });
});
