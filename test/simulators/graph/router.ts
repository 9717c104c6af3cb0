/**
 * Dispatch of one Graph request (direct or inside `$batch`): authentication, tenant-level routes,
 * then mailbox routes under /users/{id|upn}/… which pass through the per app + mailbox limiter
 * (concurrency, request window, upload window, faults) and hold their slot for `latencyMs`.
 */
import { authenticate } from './auth.js';
import { graphError, type SimRequest, type SimResponse } from './http.js';
import type { SimState } from './state.js';
import type { SimTenant, SimUser } from './types.js';

export interface RouteContext {
  state: SimState;
  req: SimRequest;
  tenant: SimTenant;
  clientId: string;
  /** Capture groups of the route pattern. */
  params: string[];
  /** Set for mailbox routes. */
  user: SimUser;
}

export interface Route {
  method: string;
  /** Tenant routes match the whole path below /v1.0; mailbox routes the rest after /users/{id}. */
  pattern: RegExp;
  scope: 'tenant' | 'mailbox';
  /** Item-creating: the request body counts against the upload window. */
  upload?: boolean;
  handler: (ctx: RouteContext) => SimResponse | Promise<SimResponse>;
}

const THROTTLE_MESSAGES = {
  concurrency: 'Application is over its MailboxConcurrency limit.',
  rate: 'Application is over its request limit (requests per window).',
  upload: 'Application is over its IncomingBytes limit.',
  random: 'Application is throttled.',
} as const;

export class GraphRouter {
  private readonly routes: Route[] = [];

  constructor(private readonly state: SimState) {}

  add(routes: Route[]): void {
    this.routes.push(...routes);
  }

  async dispatch(req: SimRequest): Promise<SimResponse> {
    const { state } = this;
    state.stats.requests++;
    const label = `${req.method} ${req.path.replace(/^\/users\/[^/]+/, '/users/{u}').replace(/\/(AAMk[\w-]+|[0-9a-f-]{36})(?=\/|$)/gi, '/{id}')}`;
    state.stats.byRoute[label] = (state.stats.byRoute[label] ?? 0) + 1;
    if (!/IdType="ImmutableId"/i.test(req.headers['prefer'] ?? '')) state.stats.missingImmutableIdPrefer++;
    const auth = authenticate(state, req);
    if ('status' in auth) return auth;
    const base = { state, req, tenant: auth.tenant, clientId: auth.token.clientId };
    for (const r of this.routes) {
      if (r.scope !== 'tenant' || r.method !== req.method) continue;
      const m = r.pattern.exec(req.path);
      if (m) return this.withLatency(() => r.handler({ ...base, params: m.slice(1), user: undefined as unknown as SimUser }));
    }
    const um = /^\/users\/([^/]+)(\/.*)$/.exec(req.path);
    if (!um) return graphError(400, 'BadRequest', `Resource not found for the segment '${req.path.split('/')[1] ?? ''}'.`);
    const rest = um[2]!;
    for (const r of this.routes) {
      if (r.scope !== 'mailbox' || r.method !== req.method) continue;
      const m = r.pattern.exec(rest);
      if (!m) continue;
      const user = state.user(auth.tenant, um[1]!);
      if (!user) return graphError(404, 'ErrorInvalidUser', `The requested user '${decodeURIComponent(um[1]!)}' is invalid.`);
      if (!state.mailboxReady(user)) return graphError(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
      return this.limited({ ...base, params: m.slice(1), user }, r);
    }
    return graphError(400, 'BadRequest', `Unsupported request: ${req.method} ${req.path}`);
  }

  /** Runs a mailbox route through the limiter; also used by the pre-authenticated attachment upload URL (mail-upload.ts). */
  async limited(ctx: RouteContext, route: Route): Promise<SimResponse> {
    const { state } = this;
    const address = ctx.user.address;
    state.stats.perMailbox[address] = (state.stats.perMailbox[address] ?? 0) + 1;
    const uploadBytes = route.upload ? ctx.req.body.length : 0;
    const admission = state.limiter.admit(`${ctx.clientId}|${ctx.tenant.id}|${ctx.user.id}`, uploadBytes);
    state.options.onRequest?.({ at: Date.now(), mailbox: address, method: ctx.req.method, path: ctx.req.path, outcome: admission.ok ? 'ok' : admission.reason });
    if (!admission.ok) {
      const headers = { 'Retry-After': String(admission.retryAfterS) };
      if (admission.reason === 'unavailable') {
        state.stats.unavailable503++;
        return graphError(503, 'ServiceUnavailable', 'The service is temporarily unavailable.', headers);
      }
      state.stats.throttled[admission.reason]++;
      return graphError(429, 'ApplicationThrottled', THROTTLE_MESSAGES[admission.reason], headers);
    }
    try {
      const res = await this.withLatency(() => route.handler(ctx));
      if (route.upload && res.status < 300) state.stats.bytesUploaded += uploadBytes;
      return res;
    } finally {
      admission.release();
    }
  }

  private async withLatency(run: () => SimResponse | Promise<SimResponse>): Promise<SimResponse> {
    const ms = this.state.options.latencyMs ?? 0;
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    return run();
  }
}
