/**
 * A bare HTTPS client for the simulator's own tests: node:https with the simulator's CA, no SDK, so the
 * tests see the wire format (status, headers, JSON) exactly as a connector would.
 */
import { request } from 'node:https';
import type { GraphSimulator } from './index.js';

export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary Graph JSON
  json: any;
}

export function wire(sim: GraphSimulator, method: string, pathOrUrl: string, o: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<WireResponse> {
  const url = new URL(pathOrUrl.startsWith('https://') ? pathOrUrl : sim.baseUrl + pathOrUrl);
  const body = o.body === undefined ? undefined : Buffer.isBuffer(o.body) ? o.body : typeof o.body === 'string' ? Buffer.from(o.body) : Buffer.from(JSON.stringify(o.body));
  const headers: Record<string, string> = { prefer: 'IdType="ImmutableId"', ...(o.headers ?? {}) };
  if (o.token) headers['authorization'] = `Bearer ${o.token}`;
  if (body && !headers['content-type']) headers['content-type'] = typeof o.body === 'string' ? 'application/x-www-form-urlencoded' : 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca: sim.caCertPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        let json: unknown = undefined;
        if (String(res.headers['content-type'] ?? '').includes('json')) json = JSON.parse(raw.toString('utf8'));
        resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Client-credentials token through the token endpoint. */
export async function tokenFor(sim: GraphSimulator, tenant: string, clientId: string, clientSecret: string): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'https://graph.microsoft.com/.default' });
  const res = await wire(sim, 'POST', `/${tenant}/oauth2/v2.0/token`, { body: form.toString() });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${res.raw.toString()}`);
  return res.json.access_token as string;
}
