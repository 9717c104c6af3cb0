/**
 * The identity platform's side: OpenID metadata and instance discovery (what msal-node fetches),
 * the client-credentials token endpoint with Entra's AADSTS errors, and the admin-consent redirect.
 * Also the Graph side of tokens: `authenticate` turns a Bearer header into (tenant, app) or a 401.
 */
import { randomUUID } from 'node:crypto';
import { graphError, json, type SimRequest, type SimResponse } from './http.js';
import type { IssuedToken, SimState } from './state.js';
import type { SimTenant } from './types.js';

const TOKEN_LIFETIME_S = 3599;

/** Routes under the authority host; null when the path is not an identity-platform path. */
export function identityRoute(state: SimState, req: SimRequest): SimResponse | null {
  const discovery = /^\/common\/discovery\/instance$/.exec(req.path);
  if (discovery && req.method === 'GET') return instanceDiscovery(state, req);
  const m = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token|v2\.0\/adminconsent)$/.exec(req.path);
  if (!m) return null;
  const [, tenant, what] = m as unknown as [string, string, string];
  if (what.endsWith('openid-configuration') && req.method === 'GET') return openIdConfiguration(state, tenant);
  if (what === 'oauth2/v2.0/token' && req.method === 'POST') return token(state, tenant, new URLSearchParams(req.body.toString('utf8')));
  if (what === 'v2.0/adminconsent' && req.method === 'GET') return adminConsent(state, req.query);
  return null;
}

function openIdConfiguration(state: SimState, tenantRef: string): SimResponse {
  const tenant = state.tenant(tenantRef);
  if (!tenant && !['common', 'organizations'].includes(tenantRef)) return aadError(400, 'invalid_tenant', 90002, `Tenant '${tenantRef}' not found.`);
  const t = tenant?.id ?? '{tenantid}';
  const base = `${state.origin}/${tenant?.id ?? tenantRef}`;
  return json(200, {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${state.origin}/${t}/discovery/v2.0/keys`,
    issuer: `${state.origin}/${t}/v2.0`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    tenant_region_scope: 'EU',
    cloud_instance_name: new URL(state.origin).host,
  });
}

function instanceDiscovery(state: SimState, req: SimRequest): SimResponse {
  const host = new URL(state.origin).host;
  const authorize = req.query.get('authorization_endpoint') ?? `${state.origin}/common/oauth2/v2.0/authorize`;
  const tenantPart = new URL(authorize).pathname.split('/')[1] ?? 'common';
  return json(200, {
    tenant_discovery_endpoint: `${state.origin}/${tenantPart}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
}

function token(state: SimState, tenantRef: string, form: URLSearchParams): SimResponse {
  const tenant = state.tenant(tenantRef);
  if (!tenant) return aadError(400, 'invalid_request', 90002, `Tenant '${tenantRef}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
  if (form.get('grant_type') !== 'client_credentials') {
    return aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
  }
  const clientId = form.get('client_id') ?? '';
  const scope = form.get('scope') ?? '';
  if (!scope.split(' ').some((s) => s.endsWith('/.default'))) {
    return aadError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
  }
  const app = tenant.apps.get(clientId) ?? (tenant.consented.has(clientId) ? state.multiTenantApps.get(clientId) : undefined);
  if (!app) {
    return aadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`);
  }
  if (form.get('client_secret') !== app.clientSecret) {
    return aadError(401, 'invalid_client', 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" + clientId + "'.");
  }
  if (app.secretExpired) {
    return aadError(401, 'invalid_client', 7000222, `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app.`);
  }
  const expiresAt = Date.now() + TOKEN_LIFETIME_S * 1000;
  const accessToken = fakeJwt({ aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${tenant.id}/`, tid: tenant.id, appid: clientId, exp: Math.floor(expiresAt / 1000), jti: randomUUID() });
  state.tokens.set(accessToken, { tenantId: tenant.id, clientId, expiresAt });
  return json(200, { token_type: 'Bearer', expires_in: TOKEN_LIFETIME_S, ext_expires_in: TOKEN_LIFETIME_S, access_token: accessToken });
}

function adminConsent(state: SimState, query: URLSearchParams): SimResponse {
  const clientId = query.get('client_id') ?? '';
  const redirect = query.get('redirect_uri');
  const app = state.multiTenantApps.get(clientId);
  if (!redirect || !app) {
    return { status: 400, headers: { 'content-type': 'text/html' }, body: Buffer.from(`<html><body>AADSTS700016: Application with identifier '${clientId}' was not found.</body></html>`) };
  }
  const target = new URL(redirect);
  const adminTenant = state.options.consentTenant ? state.tenant(state.options.consentTenant) : state.tenants.values().next().value;
  if (state.options.consentDecision === 'deny' || !adminTenant) {
    target.searchParams.set('error', 'access_denied');
    target.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
  } else {
    adminTenant.consented.add(clientId);
    target.searchParams.set('admin_consent', 'True');
    target.searchParams.set('tenant', adminTenant.id);
  }
  target.searchParams.set('state', query.get('state') ?? '');
  return { status: 302, headers: { location: target.toString() } };
}

/** Entra's token-error body (`error_description` starts with the AADSTS code, as apps parse it). */
function aadError(status: number, error: string, code: number, text: string): SimResponse {
  const traceId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  return json(status, {
    error,
    error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${randomUUID()} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: randomUUID(),
  });
}

function fakeJwt(payload: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ typ: 'JWT', alg: 'RS256' })}.${part(payload)}.${randomUUID().replace(/-/g, '')}`;
}

export type Authenticated = { tenant: SimTenant; token: IssuedToken };

/** Graph's 401 for a missing, unknown or expired token. */
export function authenticate(state: SimState, req: SimRequest): Authenticated | SimResponse {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers['authorization'] ?? '');
  if (!m) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  const issued = state.tokens.get(m[1]!.trim());
  if (!issued) return graphError(401, 'InvalidAuthenticationToken', 'IDX14100: JWT is not well formed.');
  if (issued.expiresAt <= Date.now()) return graphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
  const tenant = state.tenants.get(issued.tenantId);
  if (!tenant) return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
  return { tenant, token: issued };
}
