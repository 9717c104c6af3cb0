/**
 * App-only sign-in (client credentials) with @azure/msal-node. msal's own HTTP client cannot be
 * told to trust a private CA, and msal refuses http authorities, so it gets a network client over
 * node:https that trusts ConnectorEnv.caCertPem (the simulator's certificate). Authority metadata is
 * given up front (knownAuthorities + authorityMetadata): no instance discovery round trip, and an
 * unknown tenant is reported by the token endpoint as AADSTS90002 like every other sign-in error.
 * The secret and the private key live only inside msal; tokens are cached by msal (see sharedApp).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { Agent, request as httpsRequest } from 'node:https';
import { ConfidentialClientApplication, LogLevel, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { AppError } from '../../../errors.js';
import type { ConnectionSettings } from '../types.js';
import { signInError } from './m365-errors.js';

export type M365Settings = Extract<ConnectionSettings, { platform: 'm365' }>;

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

function send<T>(agent: Agent, method: 'GET' | 'POST', url: string, options: NetworkRequestOptions = {}, timeout = 30_000): Promise<NetworkResponse<T>> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body, 'utf8');
    const headers = { ...options.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
    const outgoing = httpsRequest(url, { method, headers, agent, timeout }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (c: Buffer) => chunks.push(c));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = {};
        try { parsed = text ? JSON.parse(text) : {}; } catch { parsed = { error: 'invalid_response', error_description: text.slice(0, 200) }; }
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(incoming.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: incoming.statusCode ?? 0, headers: flat, body: parsed as T });
      });
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('ETIMEDOUT: the sign-in service did not answer in time')));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** msal's network client over our https Agent (which carries the trusted CA). */
export function networkClient(agent: Agent): INetworkModule {
  return {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions, timeout?: number) => send<T>(agent, 'GET', url, options, timeout),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>(agent, 'POST', url, options),
  };
}

/** The endpoints msal would discover, given up front. */
export function authorityMetadata(authorityHost: string, tenantId: string): string {
  const base = `${authorityHost.replace(/\/+$/, '')}/${tenantId}`;
  return JSON.stringify({
    token_endpoint: `${base}/oauth2/v2.0/token`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    issuer: `${base}/v2.0`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
  });
}

/** A PEM with a private key and its certificate → what msal needs (SHA-256 thumbprint, key, x5c). */
export function certificateCredential(pem: string): { thumbprintSha256: string; privateKey: string; x5c: string } {
  const key = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.exec(pem)?.[0];
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!key || !cert) {
    throw new AppError('BAD_INPUT', 'The certificate must be one PEM text with both the private key (BEGIN PRIVATE KEY) and the certificate (BEGIN CERTIFICATE).', { details: { field: 'certificate' } });
  }
  const thumbprintSha256 = new X509Certificate(cert).fingerprint256.replace(/:/g, '').toLowerCase();
  return { thumbprintSha256, privateKey: key, x5c: cert };
}

export interface TokenProvider {
  token(refresh: boolean): Promise<string>;
}

/**
 * One msal application per (authority, tenant, app, credential, CA), shared by every connector of
 * this process: msal caches tokens per application, so the many short-lived connectors of a run (one
 * per mailbox job) reuse one token instead of signing in again each. Keyed by a hash: no secret in memory twice.
 */
const apps = new Map<string, ConfidentialClientApplication>();
const APPS_KEPT = 100;

function appKey(settings: M365Settings, host: string, ca: string | undefined): string {
  return createHash('sha256').update(JSON.stringify([host, settings.tenantId, settings.clientId, settings.clientSecret ?? '', settings.certificate ?? '', ca ?? ''])).digest('hex');
}

function sharedApp(key: string, settings: M365Settings, host: string, ca: string | undefined): ConfidentialClientApplication {
  let app = apps.get(key);
  if (!app) {
    // Its own agent: a connector's Graph agent is destroyed when the connector closes.
    const agent = new Agent({ keepAlive: false, ...(ca ? { ca } : {}) });
    app = new ConfidentialClientApplication({
      auth: {
        clientId: settings.clientId,
        authority: `${host}/${settings.tenantId}`,
        knownAuthorities: [new URL(host).host],
        authorityMetadata: authorityMetadata(host, settings.tenantId),
        ...(settings.clientSecret ? { clientSecret: settings.clientSecret } : { clientCertificate: certificateCredential(settings.certificate ?? '') }),
      },
      system: { networkClient: networkClient(agent), loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined } },
    });
    if (apps.size >= APPS_KEPT) apps.delete(apps.keys().next().value!);
    apps.set(key, app);
  }
  return app;
}

/**
 * The token itself, per application key, until 5 minutes before it expires: msal's own cache
 * lookup costs ~0.4 ms of CPU per call, and every Graph request asks for the token.
 */
const tokens = new Map<string, { token: string; until: number }>();
const TOKEN_EARLY_MS = 5 * 60_000;

export function createTokenProvider(settings: M365Settings, authorityHost: string, ca?: string): TokenProvider {
  const host = authorityHost.replace(/\/+$/, '');
  if (!settings.clientSecret && !settings.certificate) {
    throw new AppError('BAD_INPUT', 'Give the client secret or a certificate for the Microsoft 365 app registration.', { details: { field: 'clientSecret' } });
  }
  const key = appKey(settings, host, ca);
  return {
    async token(refresh) {
      const cached = tokens.get(key);
      if (!refresh && cached && cached.until > Date.now()) return cached.token;
      try {
        const result = await sharedApp(key, settings, host, ca).acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE], skipCache: refresh });
        if (!result?.accessToken) throw new AppError('AUTH_FAILED', `Microsoft returned no token for tenant ${settings.tenantId}. Check the app registration, then try again.`);
        const until = (result.expiresOn?.getTime() ?? 0) - TOKEN_EARLY_MS;
        if (until > Date.now()) tokens.set(key, { token: result.accessToken, until });
        else tokens.delete(key);
        return result.accessToken;
      } catch (error) {
        throw signInError(error, settings.tenantId);
      }
    },
  };
}
