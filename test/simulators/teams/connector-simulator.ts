import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Bot Connector (Teams channel service) over a real socket: the REST calls botbuilder's
 * ConnectorClient makes to `serviceUrl`. Every call is recorded; activities keep their latest
 * state so tests can tell "edited in place" from "posted again".
 */
export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string | null;
  activityId: string | null;
  authorization: string | undefined;
  body: Record<string, unknown> | null;
  status: number;
  /** When the call arrived (Date.now()), so tests can check edit pacing. */
  at: number;
}

export interface StoredActivity {
  id: string;
  conversationId: string;
  /** The latest version of the activity (after every PUT). */
  activity: Record<string, unknown>;
  replyToId: string | null;
  versions: number;
}

export interface ConnectorSimulatorOptions {
  /** Share (0..1) of calls answered 429 with Retry-After. */
  throttleShare?: number;
  /** Answer every Nth activity call with 429 (deterministic alternative to throttleShare). */
  throttleEvery?: number;
  /** Seconds sent in Retry-After with a 429. */
  retryAfterSeconds?: number;
}

export class ConnectorSimulator {
  readonly calls: ConnectorCall[] = [];
  readonly activities = new Map<string, StoredActivity>();
  /** Conversations created with POST /v3/conversations (1:1 chats), by id. */
  readonly createdConversations = new Map<string, Record<string, unknown>>();
  /** Files served at /files/<name>, as Teams serves a file's pre-authorised downloadUrl. */
  private readonly files = new Map<string, string>();
  /** Names of the files the bot downloaded (GET of a downloadUrl), in order, whether served or not. */
  readonly fileDownloads: string[] = [];
  private server: Server | null = null;
  private nextId = 1;
  private counted = 0;
  url = '';

  constructor(private options: ConnectorSimulatorOptions = {}) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  /** Serves `content` and returns its download URL (for a Teams file attachment). */
  serveFile(name: string, content: string): string {
    this.files.set(name, content);
    return `${this.url}files/${encodeURIComponent(name)}`;
  }

  setThrottle(options: ConnectorSimulatorOptions): void {
    this.options = options;
    this.counted = 0;
  }

  /** Every message created in a conversation (sends, replies and thread replies; edits are not new messages), in order. */
  sentTo(conversationId: string): StoredActivity[] {
    return [...this.activities.values()].filter((a) => a.conversationId === conversationId);
  }

  /** The Adaptive Card content of an activity's first attachment. */
  static cardOf(activity: Record<string, unknown>): Record<string, unknown> | null {
    const attachments = activity.attachments as { contentType?: string; content?: Record<string, unknown> }[] | undefined;
    const card = attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
    return card?.content ?? null;
  }

  /** Waits until `predicate` holds (polling), or throws with what was seen. */
  async waitFor<T>(predicate: () => T | null | undefined | false, timeoutMs = 20_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (Date.now() > until) throw new Error(`connector simulator: condition not met in ${timeoutMs} ms; calls: ${this.calls.map((c) => `${c.method} ${c.path} ${c.status}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> | null = null;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
    } catch {
      return this.answer(req, res, null, null, body, 400, { error: { code: 'BadArgument', message: 'Malformed JSON' } });
    }
    const url = new URL(req.url ?? '/', 'http://sim');
    if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
      const name = decodeURIComponent(url.pathname.slice('/files/'.length));
      this.fileDownloads.push(name);
      const file = this.files.get(name);
      res.statusCode = file === undefined ? 404 : 200;
      res.setHeader('content-type', 'text/csv');
      res.end(file ?? '');
      return;
    }
    const match = /^\/v3\/conversations(?:\/([^/]+)(?:\/(activities|members)(?:\/([^/]+))?)?)?\/?$/.exec(url.pathname);
    if (!match) return this.answer(req, res, null, null, body, 404, { error: { code: 'NotFound', message: 'No such route' } });
    const conversationId = match[1] ? decodeURIComponent(match[1]) : null;
    const activityId = match[3] ? decodeURIComponent(match[3]) : null;
    if (this.shouldThrottle()) {
      res.setHeader('Retry-After', String(this.options.retryAfterSeconds ?? 1));
      return this.answer(req, res, conversationId, activityId, body, 429, { error: { code: 'Throttled', message: 'Too many requests' } });
    }
    this.route(req, res, match[2], conversationId, activityId, body);
  }

  private route(req: IncomingMessage, res: ServerResponse, kind: string | undefined, conversationId: string | null, activityId: string | null, body: Record<string, unknown> | null): void {
    const method = req.method ?? 'GET';
    if (!conversationId && method === 'POST') return this.createConversation(req, res, body);
    if (conversationId && kind === 'members' && method === 'GET') {
      return this.answer(req, res, conversationId, null, body, 200, []);
    }
    if (conversationId && kind === 'activities' && body) {
      if (method === 'POST') return this.post(req, res, conversationId, activityId, body);
      if (method === 'PUT' && activityId) return this.put(req, res, conversationId, activityId, body);
    }
    this.answer(req, res, conversationId, activityId, body, 405, { error: { code: 'MethodNotAllowed', message: `${method} not supported here` } });
  }

  private createConversation(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown> | null): void {
    const members = (body?.members as { id?: string }[] | undefined) ?? [];
    if (!members[0]?.id) return this.answer(req, res, null, null, body, 400, { error: { code: 'BadArgument', message: 'members required' } });
    const id = `a:1on1-${members[0].id}`;
    this.createdConversations.set(id, body ?? {});
    this.answer(req, res, null, null, body, 201, { id });
  }

  private post(req: IncomingMessage, res: ServerResponse, conversationId: string, replyTo: string | null, body: Record<string, unknown>): void {
    const id = `act-${this.nextId++}`;
    // A thread reply in a channel is addressed by `;messageid=` in the conversation id.
    const threadOf = /;messageid=(.+)$/.exec(conversationId)?.[1] ?? null;
    const baseConversation = conversationId.replace(/;messageid=.+$/, '');
    this.activities.set(id, { id, conversationId: baseConversation, activity: { ...body, id }, replyToId: threadOf ?? replyTo, versions: 1 });
    this.answer(req, res, conversationId, replyTo, body, 200, { id });
  }

  private put(req: IncomingMessage, res: ServerResponse, conversationId: string, activityId: string, body: Record<string, unknown>): void {
    const stored = this.activities.get(activityId);
    if (!stored || stored.conversationId !== conversationId.replace(/;messageid=.+$/, '')) {
      return this.answer(req, res, conversationId, activityId, body, 404, { error: { code: 'ActivityNotFoundInConversation', message: 'Unknown activity' } });
    }
    stored.activity = { ...body, id: activityId };
    stored.versions += 1;
    this.answer(req, res, conversationId, activityId, body, 200, { id: activityId });
  }

  private shouldThrottle(): boolean {
    this.counted += 1;
    if (this.options.throttleEvery) return this.counted % this.options.throttleEvery === 0;
    return this.options.throttleShare !== undefined && Math.random() < this.options.throttleShare;
  }

  private answer(req: IncomingMessage, res: ServerResponse, conversationId: string | null, activityId: string | null, body: Record<string, unknown> | null, status: number, payload: unknown): void {
    this.calls.push({ method: req.method ?? 'GET', path: req.url ?? '/', conversationId, activityId, authorization: req.headers.authorization, body, status, at: Date.now() });
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(payload));
  }
}
