/**
 * JSON batching (learn.microsoft.com/graph/json-batching): up to 20 inner requests, each dispatched
 * like a direct request (so each counts against its mailbox and may come back 429 with Retry-After
 * while the outer response is 200), at most 4 at a time as Graph does towards Outlook; `dependsOn`
 * runs requests in order and answers 424 when a dependency failed.
 */
import { badRequest, json, parseJsonBody, type SimRequest, type SimResponse } from './http.js';
import type { GraphRouter, Route } from './router.js';
import type { SimState } from './state.js';
import type { Json } from './types.js';

const MAX_INNER = 20;
const PARALLEL = 4;

interface InnerRequest {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

export function batchRoute(state: SimState, router: GraphRouter): Route {
  return { method: 'POST', scope: 'tenant', pattern: /^\/\$batch$/, handler: (c) => runBatch(state, router, c.req) };
}

async function runBatch(state: SimState, router: GraphRouter, outer: SimRequest): Promise<SimResponse> {
  const body = parseJsonBody(outer);
  const requests = Array.isArray(body?.['requests']) ? (body['requests'] as InnerRequest[]) : null;
  if (!requests) return badRequest('Invalid batch payload format.', 'BadRequest');
  if (requests.length > MAX_INNER) return badRequest(`Number of batch request steps exceeds the maximum of ${MAX_INNER}.`, 'BadRequest');
  const ids = new Set(requests.map((r) => String(r.id)));
  if (ids.size !== requests.length) return badRequest('Batch request ids must be unique.', 'BadRequest');
  const results = new Map<string, Json>();
  const runOne = async (r: InnerRequest): Promise<void> => {
    const failedDep = (r.dependsOn ?? []).find((d) => ((results.get(d)?.['status'] as number | undefined) ?? 500) >= 400);
    if (failedDep !== undefined) {
      results.set(r.id, { id: r.id, status: 424, headers: {}, body: { error: { code: 'FailedDependency', message: `Dependency ${failedDep} failed.` } } });
      return;
    }
    const res = await router.dispatch(innerRequest(state, outer, r));
    if (res.status === 429) state.stats.batchInner429++;
    results.set(r.id, { id: r.id, status: res.status, headers: res.headers, body: innerBody(res) });
  };
  if (requests.some((r) => r.dependsOn?.length)) {
    for (const r of requests) await runOne(r);
  } else {
    for (let i = 0; i < requests.length; i += PARALLEL) await Promise.all(requests.slice(i, i + PARALLEL).map(runOne));
  }
  return json(200, { responses: requests.map((r) => results.get(r.id)!) });
}

function innerRequest(state: SimState, outer: SimRequest, r: InnerRequest): SimRequest {
  let url = String(r.url ?? '');
  if (url.startsWith(state.origin)) url = url.slice(state.origin.length);
  url = url.replace(/^\/?(v1\.0\/)?/, '/');
  const q = url.indexOf('?');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
  headers['authorization'] = outer.headers['authorization'] ?? '';
  headers['prefer'] ??= outer.headers['prefer'] ?? '';
  const body = r.body === undefined ? Buffer.alloc(0) : typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : Buffer.from(JSON.stringify(r.body), 'utf8');
  if (r.body !== undefined && typeof r.body !== 'string') headers['content-type'] ??= 'application/json';
  return {
    method: String(r.method ?? 'GET').toUpperCase(),
    path: q >= 0 ? url.slice(0, q) : url,
    query: new URLSearchParams(q >= 0 ? url.slice(q + 1) : ''),
    headers,
    body,
  };
}

/** JSON stays JSON; other content (e.g. `$value`) is base64 in a batch response. */
function innerBody(res: SimResponse): unknown {
  if (res.body === undefined) return undefined;
  return Buffer.isBuffer(res.body) ? res.body.toString('base64') : res.body;
}
