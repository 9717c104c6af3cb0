/**
 * Slack on the shared express app: Bolt with an ExpressReceiver at POST /slack/events (it
 * verifies every request's signature and timestamp and answers 401 otherwise), or Socket Mode when
 * SLACK_APP_TOKEN is set (no public URL needed). The only module that wires Bolt up; mount it
 * before any body parser touches /slack/events, since the signature covers the raw body. Either way,
 * an event Slack re-delivers (same event_id) is acked and dropped before any listener sees it.
 */
import { App, ExpressReceiver, SocketModeReceiver } from '@slack/bolt';
import type express from 'express';
import type { Engine } from '../../engine/index.js';
import type { Env } from '../../env.js';
import type { Logger } from '../../log.js';
import type { ChatSender, Dispatcher } from '../context.js';
import { createSlackDeliveries, skipRedeliveries } from './slack-deliveries.js';
import { registerSlackHandlers } from './slack-handlers.js';
import { boltLogger } from './slack-logger.js';
import { createSlackSender } from './slack-sender.js';
import { SlackUserDirectory } from './slack-users.js';
import { normaliseApiUrl, SlackWeb } from './slack-web.js';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface MountSlackOptions {
  env: Env;
  engine: Engine;
  dispatcher: Dispatcher;
  log: Logger;
}

export async function mountSlack(
  app: express.Express,
  options: MountSlackOptions,
): Promise<{ sender: ChatSender; close(): Promise<void> } | null> {
  const { env, log } = options;
  // HTTP needs the signing secret; Socket Mode authenticates with the app token instead.
  if (!env.SLACK_BOT_TOKEN || (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN)) return null;
  const slackLog = log.child({ platform: 'slack' });
  const web = new SlackWeb({ token: env.SLACK_BOT_TOKEN, apiUrl: env.SLACK_API_URL, log: slackLog });
  const apiUrl = normaliseApiUrl(env.SLACK_API_URL);
  const common = {
    token: env.SLACK_BOT_TOKEN,
    logger: boltLogger(slackLog),
    ...(apiUrl ? { clientOptions: { slackApiUrl: apiUrl } } : {}),
  };

  let bolt: App;
  let socketMode = false;
  if (env.SLACK_APP_TOKEN) {
    // Built here rather than by `socketMode: true` so that apps.connections.open honours SLACK_API_URL too.
    const receiver = new SocketModeReceiver({
      appToken: env.SLACK_APP_TOKEN,
      logger: common.logger,
      ...(apiUrl ? { installerOptions: { clientOptions: { slackApiUrl: apiUrl } } } : {}),
    });
    bolt = new App({ ...common, receiver });
    socketMode = true;
  } else {
    const receiver = new ExpressReceiver({
      signingSecret: env.SLACK_SIGNING_SECRET as string,
      app,
      endpoints: SLACK_EVENTS_PATH,
      logger: common.logger,
      // Ack is sent the moment a listener calls ack(); the work continues after the HTTP answer.
      processBeforeResponse: false,
    });
    bolt = new App({ ...common, receiver });
  }
  const deliveries = createSlackDeliveries({ redisUrl: env.REDIS_URL, prefix: env.MAILFERRY_QUEUE_PREFIX, log: slackLog });
  bolt.use(skipRedeliveries(deliveries, slackLog));
  registerSlackHandlers(bolt, { web, users: new SlackUserDirectory(web, slackLog), engine: options.engine, dispatcher: options.dispatcher, log: slackLog });
  if (socketMode) {
    try {
      await bolt.start();
    } catch (error) {
      await deliveries.close();
      throw error;
    }
  }
  slackLog.info({ mode: socketMode ? 'socket' : 'http', path: socketMode ? undefined : SLACK_EVENTS_PATH }, 'slack mounted');

  return {
    sender: createSlackSender(web),
    async close() {
      if (socketMode) await bolt.stop();
      await deliveries.close();
    },
  };
}
