import type { Env } from '../../env.js';

/**
 * Who may post to /api/messages. Without an app id there is nothing to validate a Bot Framework
 * token against, so activities are anonymous; that is safe only when nobody but this machine can
 * reach the port (the Agents Playground and the tests). Anywhere else they are refused.
 */
export type TeamsAuthDecision =
  | { mode: 'anonymous' }
  | { mode: 'jwt'; appId: string; password: string; tenantId: string | undefined }
  | { mode: 'refuse'; reason: string };

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']);

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  return LOOPBACK.has(h) || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export function decideTeamsAuth(env: Pick<Env, 'TEAMS_APP_ID' | 'TEAMS_APP_PASSWORD' | 'TEAMS_APP_TENANT_ID' | 'host'>): TeamsAuthDecision {
  if (env.TEAMS_APP_ID) {
    return { mode: 'jwt', appId: env.TEAMS_APP_ID, password: env.TEAMS_APP_PASSWORD ?? '', tenantId: env.TEAMS_APP_TENANT_ID };
  }
  if (isLoopbackHost(env.host)) return { mode: 'anonymous' };
  return {
    mode: 'refuse',
    reason: `TEAMS_APP_ID is not set and the server listens on ${env.host}: anonymous Teams activities are accepted only on loopback. Set TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_APP_TENANT_ID, or listen on 127.0.0.1 (HOST).`,
  };
}
