/**
 * JSON batching ($batch, at most 20 inner requests). The outer answer is 200 even when inner
 * requests were throttled: each inner 429/503 is retried after its own Retry-After (reference §1.5,
 * pitfall 11), or the caller would silently lose those answers. Inner requests count against their
 * mailbox's budget (Microsoft counts them one by one), so the pacer is told about each.
 */
import { AppError } from '../../../errors.js';
import { retryAfterMs, type GraphSite } from './m365-errors.js';
import type { GraphClient } from './m365-http.js';

export const BATCH_MAX = 20;
const ROUNDS = 8;
/** Batches in flight at once (each inner request is for its own mailbox; the batch itself is a tenant call). */
const BATCHES_AT_ONCE = 3;

export interface BatchRequest {
  id: string;
  method: 'GET' | 'POST' | 'PATCH';
  /** Relative to /v1.0, e.g. "/users/{id}/mailboxSettings". */
  url: string;
  body?: unknown;
  /** Pacing bucket of the inner request. */
  mailbox: string;
}

export interface BatchAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface RawAnswer { id: string; status: number; headers?: Record<string, string>; body?: unknown }

function lower(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function sendOnce(client: GraphClient, requests: BatchRequest[], site: GraphSite, signal?: AbortSignal): Promise<RawAnswer[]> {
  for (const r of requests) client.pacer.note(r.mailbox);
  const body = {
    requests: requests.map((r) => ({
      id: r.id, method: r.method, url: r.url,
      headers: { prefer: 'IdType="ImmutableId"', ...(r.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(r.body === undefined ? {} : { body: r.body }),
    })),
  };
  const answer = await client.json<{ responses?: RawAnswer[] }>({ method: 'POST', url: '/$batch', body, mailbox: 'tenant', patient: true, site, signal });
  return answer.responses ?? [];
}

/** One batch of at most 20, its throttled inner requests sent again until every answer is in. */
async function settle(client: GraphClient, requests: BatchRequest[], answers: Map<string, BatchAnswer>, site: GraphSite, signal?: AbortSignal): Promise<void> {
  let pending = requests;
  for (let round = 1; pending.length > 0; round++) {
    const raw = await sendOnce(client, pending, site, signal);
    const byId = new Map(raw.map((r) => [String(r.id), r]));
    const again: BatchRequest[] = [];
    let delay = 0;
    for (const request of pending) {
      const r = byId.get(request.id);
      const headers = lower(r?.headers);
      if (!r || r.status === 429 || r.status === 503 || r.status === 424) {
        again.push(request);
        delay = Math.max(delay, retryAfterMs(headers['retry-after']) ?? 1000 * round);
        continue;
      }
      answers.set(request.id, { status: r.status, headers, body: r.body });
    }
    if (again.length > 0 && round >= ROUNDS) {
      throw new AppError('THROTTLED', `Microsoft 365 kept throttling batched requests while ${site.doing}; mailferry waits and continues.`, { retryAfterMs: Math.max(delay, 5_000) });
    }
    if (again.length > 0) await wait(delay, signal);
    signal?.throwIfAborted();
    pending = again;
  }
}

/** Runs the requests in batches of 20 (a few batches at once); every answer comes back, inner throttling retried. */
export async function batch(client: GraphClient, requests: BatchRequest[], site: GraphSite, signal?: AbortSignal): Promise<Map<string, BatchAnswer>> {
  const answers = new Map<string, BatchAnswer>();
  const chunks: BatchRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_MAX) chunks.push(requests.slice(i, i + BATCH_MAX));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) await settle(client, chunks[next++]!, answers, site, signal);
  };
  await Promise.all(Array.from({ length: Math.min(BATCHES_AT_ONCE, chunks.length) }, worker));
  return answers;
}
