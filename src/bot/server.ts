import express from 'express';
import { collectDefaultMetrics, type Registry } from 'prom-client';
import type { Engine } from '../engine/index.js';
import type { Env } from '../env.js';
import type { Logger } from '../log.js';
import type { ChatSender, Dispatcher } from './context.js';
import { chatCommandsCounter } from './dispatch.js';
import { CONSENT_CALLBACK_ROUTE, consentCallbackHandler } from './actions/m365-consent-callback.js';
import { mountSlack } from './slack/slack-adapter.js';
import { mountTeams } from './teams/teams-adapter.js';

export interface HttpAppDeps {
  env: Env;
  engine: Engine;
  dispatcher: Dispatcher;
  log: Logger;
  registry: Registry;
  /** False for ROLE=worker: only health and metrics, no chat endpoints. */
  chat?: boolean;
}

export interface HttpApp {
  app: express.Express;
  /** Proactive senders of the mounted platforms (for the notifier). */
  senders: ChatSender[];
  /** Slack mounted (its signing secret and bot token are set). */
  slack: boolean;
  close(): Promise<void>;
}

/** Readiness must answer fast even when a dependency hangs: a probe that never returns is a failure. */
async function readiness(engine: Engine, timeoutMs: number): Promise<{ database: boolean; redis: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ database: boolean; redis: boolean }>((resolve) => {
    timer = setTimeout(() => resolve({ database: false, redis: false }), timeoutMs);
  });
  try {
    return await Promise.race([engine.ready().catch(() => ({ database: false, redis: false })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The one HTTP app: health, readiness, metrics, and the chat platforms' endpoints
 * (POST /api/messages for Teams, POST /slack/events for Slack), and GET /consent/m365/callback. No global body parser: the
 * adapters read raw bodies (Slack signs the exact bytes).
 */
export async function createHttpApp(deps: HttpAppDeps): Promise<HttpApp> {
  const { env, engine, dispatcher, log, registry } = deps;
  const app = express();
  app.disable('x-powered-by');
  if (!registry.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics({ register: registry });
  chatCommandsCounter(registry);

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    const state = await readiness(engine, 3000);
    const ok = state.database && state.redis;
    res.status(ok ? 200 : 503).json({ ok, ...state });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  const senders: ChatSender[] = [];
  const closers: (() => Promise<void>)[] = [];
  let slack = false;
  if (deps.chat !== false) {
    const teams = await mountTeams(app, { env, engine, dispatcher, log });
    senders.push(teams.sender);
    closers.push(() => teams.close());
    const mounted = await mountSlack(app, { env, engine, dispatcher, log });
    if (mounted) {
      senders.push(mounted.sender);
      closers.push(() => mounted.close());
      slack = true;
    }
  }

  // Microsoft's admin-consent redirect (guided consent for Microsoft 365): a page for the browser, a message for the channel.
  if (deps.chat !== false) app.get(CONSENT_CALLBACK_ROUTE, consentCallbackHandler({ engine, senders, log }));

  // Express 5 forwards rejected promises here; the caller sees a status, never a stack.
  app.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    log.error({ err: error }, 'http request failed');
    if (res.headersSent) return next(error);
    res.status(500).json({ ok: false, error: 'internal error' });
  });

  return {
    app,
    senders,
    slack,
    async close() {
      for (const close of closers.reverse()) await close().catch((error: unknown) => log.warn({ err: error }, 'chat adapter did not close cleanly'));
    },
  };
}
