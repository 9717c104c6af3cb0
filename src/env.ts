import { z } from 'zod';
import { AppError } from './errors.js';

/**
 * Every environment variable mailferry reads, parsed once. README's configuration table mirrors
 * this list; keep them together.
 */
const schema = z.object({
  ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  /** Defaults to loopback while TEAMS_APP_ID is unset (anonymous Teams activities are accepted only then). */
  HOST: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().optional(),
  MAILFERRY_DATA_DIR: z.string().default('./data'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** Prefix of every BullMQ queue and Redis key (tests use one per test file). */
  MAILFERRY_QUEUE_PREFIX: z.string().default('mailferry'),
  MAILFERRY_SECRET_KEY: z.string().optional(),
  MAILFERRY_PUBLIC_URL: z.string().optional(),
  /** Comma-separated platform user ids (Slack user id, Teams aadObjectId or user id) that are admins. */
  MAILFERRY_ADMINS: z.string().default(''),
  /** Create the sandbox "demo" project for local use (default on with the embedded store). */
  MAILFERRY_DEMO: z.enum(['on', 'off']).optional(),
  TEAMS_APP_ID: z.string().optional(),
  TEAMS_APP_PASSWORD: z.string().optional(),
  TEAMS_APP_TENANT_ID: z.string().optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_BOT_TOKEN: z.string().optional(),
  SLACK_APP_TOKEN: z.string().optional(),
  SLACK_API_URL: z.string().optional(),
  /** mailferry's own multi-tenant Microsoft 365 app (guided admin consent); with MAILFERRY_PUBLIC_URL. */
  M365_CLIENT_ID: z.string().optional(),
  M365_CLIENT_SECRET: z.string().optional(),
  /** Graph and sign-in hosts (default Microsoft's); tests and benchmarks point them at the Graph simulator. */
  GRAPH_BASE_URL: z.string().url().optional(),
  MSAL_AUTHORITY_HOST: z.string().url().optional(),
  /** A PEM file of a CA to trust for those hosts (the simulator's self-signed certificate). */
  M365_CA_CERT_FILE: z.string().optional(),
  GOOGLE_ROOT_URL: z.string().optional(),
});

export type Env = z.infer<typeof schema> & { host: string; admins: string[] };

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AppError('CONFIG', `Invalid configuration: ${lines}`);
  }
  const env = parsed.data;
  return {
    ...env,
    host: env.HOST ?? (env.TEAMS_APP_ID ? '0.0.0.0' : '127.0.0.1'),
    admins: env.MAILFERRY_ADMINS.split(',').map((s) => s.trim()).filter(Boolean),
  };
}
