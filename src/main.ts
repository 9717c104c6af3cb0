import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Registry } from 'prom-client';
import { createEngine, resolveSecretKey, type Actor, type Engine, type EngineOptions } from './engine/index.js';
import { parseEnv, type Env } from './env.js';
import { AppError, toAppError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { createDispatcher } from './bot/dispatch.js';
import { createNotifier, type Notifier } from './bot/notifier.js';
import { createHttpApp, type HttpApp } from './bot/server.js';
import { PLAYGROUND_ORG_ID, PLAYGROUND_USERS } from './bot/teams/playground-users.js';

export interface RunningApp {
  /** http://host:port, or '' for a worker without HTTP. */
  url: string;
  port: number;
  engine: Engine;
  /** Slack endpoint mounted. */
  slack: boolean;
  close(): Promise<void>;
}

/** The Agents Playground opens its personal chat first; the demo project lives there. */
export const PLAYGROUND_CHANNEL_KEY = 'teams:personal-chat-alex';

function isLocal(env: Env): boolean {
  return !env.DATABASE_URL;
}

async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Local mode: the demo project and roles for the Playground's users, so `npm start` then
 * `npm run playground` shows the whole flow (help, new, scan demo, match demo) with no setup.
 */
async function prepareLocalDemo(engine: Engine, log: Logger): Promise<void> {
  const operator: Actor = { orgId: PLAYGROUND_ORG_ID, orgName: 'Agents Playground', userId: 'mailferry', userName: 'mailferry', platformAdmin: true };
  const existing = await engine.listRoles(operator);
  for (const user of PLAYGROUND_USERS) {
    if (existing.some((e) => e.userId === user.aadObjectId && e.role === user.role)) continue;
    await engine.grantRole(operator, { userId: user.aadObjectId, role: user.role });
  }
  const demo = await engine.ensureDemoProject(PLAYGROUND_ORG_ID, PLAYGROUND_CHANNEL_KEY);
  log.info({ project: demo?.name ?? null }, 'local demo ready');
}

async function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([promise.catch(() => fallback), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The notifier subscribes through Redis. A web process may come up before Redis does (then
 * /readyz says so); it must not hang its start on it: the subscription completes in the background.
 */
async function startNotifier(notifier: Notifier, log: Logger, waitMs = 5000): Promise<void> {
  const started = notifier.start().then(
    () => true,
    (error: unknown) => {
      log.error({ err: error }, 'run cards will not update: the event subscription failed');
      return true;
    },
  );
  const done = await withTimeout(started, waitMs, false);
  if (!done) log.warn('Redis does not answer yet: run cards start updating once it does');
}

/** Where connectors reach Microsoft 365 (simulators in tests), and mailferry's own app for guided consent. */
export function m365Options(env: Env): Pick<EngineOptions, 'connectorEnv' | 'm365App' | 'publicUrl'> {
  let caCertPem: string | undefined;
  if (env.M365_CA_CERT_FILE) {
    try {
      caCertPem = readFileSync(env.M365_CA_CERT_FILE, 'utf8');
    } catch {
      throw new AppError('CONFIG', `M365_CA_CERT_FILE names ${env.M365_CA_CERT_FILE}, which cannot be read; point it at a PEM file or unset it.`);
    }
  }
  const connectorEnv = {
    ...(env.GRAPH_BASE_URL ? { graphBaseUrl: env.GRAPH_BASE_URL.replace(/\/+$/, '') } : {}),
    ...(env.MSAL_AUTHORITY_HOST ? { authorityHost: env.MSAL_AUTHORITY_HOST.replace(/\/+$/, '') } : {}),
    ...(caCertPem ? { caCertPem } : {}),
  };
  return {
    connectorEnv,
    ...(env.M365_CLIENT_ID && env.M365_CLIENT_SECRET ? { m365App: { clientId: env.M365_CLIENT_ID, clientSecret: env.M365_CLIENT_SECRET } } : {}),
    ...(env.MAILFERRY_PUBLIC_URL ? { publicUrl: env.MAILFERRY_PUBLIC_URL.replace(/\/+$/, '') } : {}),
  };
}

/** Starts mailferry in this process: HTTP and chat (ROLE=web), workers (ROLE=worker), or both. */
export async function startApp(env: Env, options: { log?: Logger } = {}): Promise<RunningApp> {
  const log = options.log ?? createLogger(env.LOG_LEVEL);
  // An in-memory store keeps nothing, so its key need not outlive the process either.
  const ephemeral = env.MAILFERRY_DATA_DIR.startsWith('memory://');
  const secretKey = !env.MAILFERRY_SECRET_KEY && ephemeral && isLocal(env)
    ? randomBytes(32).toString('base64')
    : resolveSecretKey({ configured: env.MAILFERRY_SECRET_KEY, dataDir: env.MAILFERRY_DATA_DIR, local: isLocal(env) });
  const engine = await createEngine({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.MAILFERRY_DATA_DIR,
    redisUrl: env.REDIS_URL,
    queuePrefix: env.MAILFERRY_QUEUE_PREFIX,
    secretKey,
    admins: env.admins,
    log,
    ...m365Options(env),
  });
  const web = env.ROLE !== 'worker';
  let http: HttpApp | null = null;
  let server: Server | null = null;
  let notifier: Notifier | null = null;
  const close = async () => {
    await notifier?.stop().catch((error: unknown) => log.warn({ err: error }, 'notifier did not stop cleanly'));
    if (server) await closeServer(server);
    await http?.close();
    // A shutdown must end: with Redis gone, closing its connections can wait forever.
    const closed = await withTimeout(engine.close().then(() => true), 10_000, false);
    if (!closed) log.warn('the engine did not close within 10 s (Redis unreachable?); exiting anyway');
  };
  try {
    if (env.ROLE !== 'web') await engine.startWorkers();
    const registry = new Registry();
    const dispatcher = createDispatcher({ engine, log, env, registry });
    http = await createHttpApp({ env, engine, dispatcher, log, registry, chat: web });
    server = createServer(http.app);
    // A worker still answers /healthz and /metrics on its port, for orchestrators.
    const port = await listen(server, env.host, env.PORT);
    if (web) {
      notifier = createNotifier({ engine, senders: http.senders, log });
      await startNotifier(notifier, log);
    }
    if (isLocal(env) && env.MAILFERRY_DEMO !== 'off') await prepareLocalDemo(engine, log);
    const host = env.host.includes(':') ? `[${env.host}]` : env.host;
    return { url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`, port, engine, slack: http.slack, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** Does something answer PING on the Redis URL? */
async function redisAnswers(url: URL, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname || '127.0.0.1', port: Number(url.port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    // +PONG, or -NOAUTH from a password-protected server: either way Redis is there.
    socket.once('data', (data) => done(/^[+-]/.test(data.toString())));
  });
}

/** Local mode without Redis: start a throwaway redis-server (no persistence), stopped on exit. */
async function ensureLocalRedis(env: Env, log: Logger): Promise<ChildProcess | null> {
  const url = new URL(env.REDIS_URL);
  if (await redisAnswers(url)) return null;
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname);
  const hasBinary = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!isLocal(env) || !local || !hasBinary) {
    throw new Error(`Redis does not answer at ${env.REDIS_URL}: start one (for example \`apt-get install redis-server\` or \`docker run -p 6379:6379 redis:7\`) or set REDIS_URL.`);
  }
  const port = url.port || '6379';
  const child = spawn('redis-server', ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 50; i += 1) {
    if (await redisAnswers(url, 200)) {
      log.info({ port }, 'started a local redis-server');
      return child;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`Started redis-server on port ${port}, but it did not answer; run it by hand to see why.`);
}

function banner(app: RunningApp, env: Env, localRedis: boolean): string {
  const lines = [
    '',
    `  mailferry is running (${env.ROLE}) at ${app.url}`,
    `  Teams endpoint:  ${app.url}/api/messages${env.TEAMS_APP_ID ? '' : ' (anonymous, loopback only)'}`,
    '  Open the Agents Playground: npm run playground',
    `  Slack: ${app.slack ? `${app.url}/slack/events${env.SLACK_APP_TOKEN ? ' (Socket Mode)' : ''}` : 'off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to enable)'}`,
    `  Redis: ${env.REDIS_URL}${localRedis ? ' (a local redis-server started for this run, stopped on exit)' : ''}`,
    `  Store: ${env.DATABASE_URL ? 'PostgreSQL' : `PGlite in ${env.MAILFERRY_DATA_DIR}`}; try "help", "scan demo", "match demo"`,
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  let redis: ChildProcess | null = null;
  let app: RunningApp | null = null;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await app?.close().catch(() => undefined);
    redis?.kill();
    process.exit(code);
  };
  try {
    const env = parseEnv();
    const log = createLogger(env.LOG_LEVEL);
    redis = await ensureLocalRedis(env, log);
    app = await startApp(env, { log });
    process.stdout.write(`${banner(app, env, redis !== null)}\n`);
    process.once('SIGINT', () => void stop(0));
    process.once('SIGTERM', () => void stop(0));
  } catch (error) {
    const e = toAppError(error);
    const sentence = e.code === 'INTERNAL' && error instanceof Error ? error.message : e.userMessage;
    process.stderr.write(`mailferry could not start: ${sentence}\n`);
    await stop(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
