/**
 * A thin Microsoft Graph client over node:https with one keep-alive Agent (trusting
 * ConnectorEnv.caCertPem when given). Not @microsoft/microsoft-graph-client: it attaches no token to
 * non-Graph hosts, mis-parses nextLinks on other origins, and its RetryHandler swallows Retry-After,
 * which the copy pipeline needs to pause a mailbox and say who throttled (reference §1.7).
 * Every request goes through the MailboxPacer of its mailbox and carries Prefer: IdType="ImmutableId".
 */
import { setMaxListeners } from 'node:events';
import { Agent, request as httpsRequest } from 'node:https';
import { AppError } from '../../../errors.js';
import { GraphHttpError, graphError, retryAfterMs, type GraphSite } from './m365-errors.js';
import type { MailboxPacer } from './m365-pacer.js';

export interface GraphRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** A path under /v1.0 ("/users?$top=5") or an absolute nextLink/deltaLink. */
  url: string;
  /** JSON body, or raw bytes with `contentType`. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** Pacing bucket: the mailbox the request is made for (user id or address); "tenant" for directory calls. */
  mailbox: string;
  /** Item-creating request: its body counts against the mailbox's upload budget. */
  upload?: boolean;
  /** Retry through 429/503 here (multi-request reads); else the first one is THROTTLED to the caller. */
  patient?: boolean;
  /** Statuses the caller handles itself: they come back as GraphHttpError instead of an AppError. */
  expect?: number[];
  site: GraphSite;
  signal?: AbortSignal;
}

export interface GraphResponse<T> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

export type TokenSource = (refresh: boolean) => Promise<string>;

const TIMEOUT_MS = 120_000;
const PATIENT_ATTEMPTS = 8;
/** A server Retry-After at least this long stops every request of the mailbox until it passed. */
const BLOCK_FROM_MS = 2_000;

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function graphErrorBody(raw: Buffer): { code: string; message: string } {
  try {
    const parsed = JSON.parse(raw.toString('utf8')) as { error?: { code?: string; message?: string } | string; error_description?: string };
    if (typeof parsed.error === 'object' && parsed.error) return { code: parsed.error.code ?? 'Unknown', message: parsed.error.message ?? '' };
    if (typeof parsed.error === 'string') return { code: parsed.error, message: parsed.error_description ?? '' };
  } catch {
    // not JSON: the status says enough
  }
  return { code: 'Unknown', message: raw.toString('utf8').slice(0, 200) };
}

export class GraphClient {
  readonly agent: Agent;
  private readonly root: string;

  constructor(baseUrl: string, private readonly token: TokenSource, readonly pacer: MailboxPacer, ca?: string) {
    this.root = `${baseUrl.replace(/\/+$/, '')}/v1.0`;
    this.agent = new Agent({ keepAlive: true, maxSockets: 64, ...(ca ? { ca } : {}) });
  }

  url(path: string): string {
    return /^https?:\/\//i.test(path) ? path : `${this.root}${path}`;
  }

  /** JSON in, JSON out; failures are AppErrors (or GraphHttpError for `expect`ed statuses). */
  async json<T>(req: GraphRequest): Promise<T> {
    const response = await this.send(req);
    return (response.body.length === 0 ? {} : JSON.parse(response.body.toString('utf8'))) as T;
  }

  /** Raw bytes (a message's $value). */
  async bytes(req: GraphRequest): Promise<Buffer> {
    return (await this.send(req)).body;
  }

  async send(req: GraphRequest): Promise<GraphResponse<Buffer>> {
    const payload = req.body === undefined ? undefined
      : Buffer.isBuffer(req.body) ? req.body : Buffer.from(JSON.stringify(req.body), 'utf8');
    // One job's signal is shared by every request and pacer wait of its mailbox (dozens at once).
    if (req.signal) setMaxListeners(1000, req.signal);
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      req.signal?.throwIfAborted();
      const release = await this.pacer.acquire(req.mailbox, { uploadBytes: req.upload ? payload?.length : undefined, patient: req.patient, signal: req.signal });
      let response: GraphResponse<Buffer>;
      try {
        response = await this.once(req, payload, await this.token(refreshed));
      } catch (error) {
        // A reused keep-alive socket may be closed under us: a read is safe to repeat once.
        if ((req.method ?? 'GET') === 'GET' && attempt < 3 && !req.signal?.aborted && !(error instanceof AppError)) continue;
        throw graphError(error, req.site);
      } finally {
        release();
      }
      if (response.status < 300) return response;
      const { code, message } = graphErrorBody(response.body);
      const after = retryAfterMs(response.headers['retry-after']);
      const failure = new GraphHttpError(response.status, code, message, after);
      if (response.status === 401 && !refreshed) {
        refreshed = true;
        continue;
      }
      if (response.status === 429 || response.status === 503) {
        const ms = after ?? Math.min(30_000, 1000 * 2 ** (attempt - 1));
        if (ms >= BLOCK_FROM_MS) this.pacer.block(req.mailbox, ms, graphError(failure, req.site).userMessage.replace(/; mailferry waits and continues\.$/, ''));
        if (req.patient && attempt < PATIENT_ATTEMPTS) {
          await wait(ms, req.signal);
          continue;
        }
        throw graphError(new GraphHttpError(response.status, code, message, ms), req.site);
      }
      if (req.expect?.includes(response.status)) throw failure;
      throw graphError(failure, req.site);
    }
  }

  private once(req: GraphRequest, payload: Buffer | undefined, token: string): Promise<GraphResponse<Buffer>> {
    const headers: Record<string, string | string[]> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...req.headers,
      prefer: ['IdType="ImmutableId"', ...(req.headers?.prefer ? [req.headers.prefer] : [])],
    };
    if (payload) {
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    return new Promise((resolve, reject) => {
      const outgoing = httpsRequest(this.url(req.url), { method: req.method ?? 'GET', headers, agent: this.agent, timeout: TIMEOUT_MS, signal: req.signal }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const flat: Record<string, string> = {};
          for (const [k, v] of Object.entries(incoming.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: incoming.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) });
        });
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error('ETIMEDOUT: Graph did not answer in time')));
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
