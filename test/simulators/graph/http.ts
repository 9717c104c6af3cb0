/**
 * Transport-neutral request/response shapes: the HTTPS server and `$batch` both feed route handlers
 * a SimRequest and send back a SimResponse, so an inner batch request behaves exactly like a direct one.
 */
import { randomUUID } from 'node:crypto';
import type { Json } from './types.js';

export interface SimRequest {
  method: string;
  /** Path below /v1.0 (Graph) or the whole path (identity platform), without the query. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON object, raw bytes, or nothing. */
  body?: Json | Buffer;
}

export function json(status: number, body: Json, headers: Record<string, string> = {}): SimResponse {
  return { status, headers: { 'content-type': 'application/json; odata.metadata=minimal', ...headers }, body };
}

/** Graph's error envelope: `{error:{code, message, innerError:{date, request-id}}}`. */
export function graphError(status: number, code: string, message: string, headers: Record<string, string> = {}): SimResponse {
  const innerError = { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID(), 'client-request-id': randomUUID() };
  return json(status, { error: { code, message, innerError } }, headers);
}

export const notFound = (what = 'The specified object was not found in the store.'): SimResponse =>
  graphError(404, 'ErrorItemNotFound', what);

export const badRequest = (message: string, code = 'ErrorInvalidRequest'): SimResponse => graphError(400, code, message);

export function parseJsonBody(req: SimRequest): Json | null {
  if (req.body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(req.body.toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : null;
  } catch {
    return null;
  }
}

/** `Prefer: odata.maxpagesize=n` (default and cap per the contract). */
export function preferredPageSize(req: SimRequest, fallback: number, max: number): number {
  const m = /odata\.maxpagesize=(\d+)/i.exec(req.headers['prefer'] ?? '');
  return m ? Math.max(1, Math.min(max, Number(m[1]))) : fallback;
}

/** Applies `$select` (comma list) to one rendered entity; id always stays. */
export function select(entity: Json, query: URLSearchParams): Json {
  const list = query.get('$select');
  if (!list) return entity;
  const keep = new Set(list.split(',').map((s) => s.trim()).filter(Boolean));
  keep.add('id');
  const out: Json = {};
  for (const [k, v] of Object.entries(entity)) if (keep.has(k) || k.startsWith('@odata')) out[k] = v;
  return out;
}

/**
 * One page of a `$top`/`$skip` collection with an absolute `@odata.nextLink` on the simulator's origin
 * (Graph lists mailFolders, events and contacts this way).
 */
export function page(req: SimRequest, origin: string, items: Json[], defaultTop = 10, maxTop = 1000): SimResponse {
  const top = Math.max(1, Math.min(maxTop, Number(req.query.get('$top') ?? defaultTop) || defaultTop));
  const skip = Math.max(0, Number(req.query.get('$skip') ?? 0) || 0);
  const value = items.slice(skip, skip + top).map((i) => select(i, req.query));
  const body: Json = { value };
  if (skip + top < items.length) {
    const next = new URLSearchParams(req.query);
    next.set('$top', String(top));
    next.set('$skip', String(skip + top));
    body['@odata.nextLink'] = `${origin}/v1.0${req.path}?${next.toString()}`;
  }
  return json(200, body);
}

/** `$filter=<prop> eq '<value>'` (single-quoted, '' escapes a quote) → [prop, value], else null. */
export function eqFilter(filter: string | null): [string, string] | null {
  if (!filter) return null;
  const m = /^\s*([\w/]+)\s+eq\s+'((?:[^']|'')*)'\s*$/.exec(filter);
  return m ? [m[1]!, m[2]!.replace(/''/g, "'")] : null;
}
