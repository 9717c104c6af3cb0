/**
 * The HTTPS front: turns node requests into SimRequests, sends identity-platform paths to auth.ts and
 * /v1.0 paths to the Graph router, and writes SimResponses back (JSON, bytes, redirects).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { identityRoute } from './auth.js';
import { graphError, type SimRequest, type SimResponse } from './http.js';
import { attachmentSessionRoute } from './mail-upload.js';
import type { GraphRouter } from './router.js';
import type { SimState } from './state.js';
import type { TlsMaterial } from './tls.js';

const MAX_BODY = 64 * 1024 * 1024;

export async function listen(tls: TlsMaterial, state: SimState, router: GraphRouter): Promise<{ server: Server; origin: string }> {
  const server = createServer({ key: tls.key, cert: tls.cert, keepAlive: true }, (req, res) => {
    void handle(state, router, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `https://127.0.0.1:${port}` };
}

async function handle(state: SimState, router: GraphRouter, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', state.origin);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const graph = url.pathname.startsWith('/v1.0/');
    const simReq: SimRequest = { method: req.method ?? 'GET', path: graph ? url.pathname.slice(5) : url.pathname, query: url.searchParams, headers, body };
    const out = graph ? await router.dispatch(simReq)
      : (await attachmentSessionRoute(state, router, simReq)) ?? identityRoute(state, simReq) ?? graphError(404, 'NotFound', `No route for ${simReq.path}`);
    write(res, out);
  } catch (err) {
    write(res, graphError(500, 'InternalServerError', err instanceof Error ? err.message : String(err)));
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, out: SimResponse): void {
  const payload = out.body === undefined ? undefined : Buffer.isBuffer(out.body) ? out.body : Buffer.from(JSON.stringify(out.body), 'utf8');
  res.writeHead(out.status, { ...out.headers, ...(payload ? { 'content-length': String(payload.length) } : {}) });
  res.end(payload);
}
