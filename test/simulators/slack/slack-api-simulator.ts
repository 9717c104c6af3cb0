/**
 * A Slack Web API simulator over a real socket. It speaks the wire format `@slack/web-api` uses
 * (POST form-encoded or JSON to /api/<method>, `{ ok: true, … }` / `{ ok: false, error }`, HTTP 429
 * with Retry-After), enforces Block Kit budgets and rate limits, and records every call so that tests
 * assert on what a Slack user would see: messages, their edits, ephemerals and modals.
 * Point the bot at it with SLACK_API_URL=`sim.apiUrl` (trailing `/api/`, as WebClient expects).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { blockKitProblems } from './slack-block-limits.js';
import { defaultRateLimits, SlackRateLimiter, type RateLimitOptions } from './slack-rate-limits.js';
import { SocketModeServer } from './slack-socket-mode.js';

type Json = Record<string, unknown>;

export interface SimUser {
  id: string;
  name: string;
  realName?: string;
  isAdmin?: boolean;
  isOwner?: boolean;
}

export interface RecordedCall {
  method: string;
  args: Json;
  at: number;
  /** `ok`, an error code, or `ratelimited`. */
  outcome: string;
}

export interface SimMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Json[] | undefined;
  threadTs: string | undefined;
  /** Earlier states, oldest first (each chat.update pushes the previous one). */
  history: { text: string; blocks: Json[] | undefined }[];
  files?: { id: string; title: string; content: string }[];
}

export interface SimEphemeral {
  channel: string;
  user: string;
  messageTs: string;
  text: string;
  blocks: Json[] | undefined;
  /** Replaced through a response_url with replace_original. */
  replaced: number;
}

export interface SimFile {
  id: string;
  filename: string;
  content: string;
  /** Shared by a user (shareFile): who, and the type Slack detected. */
  user?: string;
  mimetype?: string;
  filetype?: string;
}

/** A file object as Slack puts it in `files[]` of a `file_share` message or an `app_mention`. */
export interface SlackEventFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  pretty_type: string;
  user: string;
  size: number;
  mode: 'hosted';
  is_external: false;
  is_public: boolean;
  url_private: string;
  url_private_download: string;
  permalink: string;
}

interface ResponseUrlContext {
  channel: string;
  user: string;
  /** The message the button was on, when the action came from one. */
  messageTs?: string;
  ephemeral?: boolean;
}

export interface SlackSimulatorOptions {
  botToken: string;
  /** App-level token (xapp-…) accepted by apps.connections.open, for Socket Mode. */
  appToken?: string;
  teamId?: string;
  botUserId?: string;
  rateLimits?: Partial<RateLimitOptions>;
  /** How long a trigger_id stays valid (Slack: 3 s). */
  triggerTtlMs?: number;
}

const MODAL_METHODS = new Set(['views.open', 'views.update', 'views.push']);

export class SlackApiSimulator {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, SimMessage>();
  readonly ephemerals: SimEphemeral[] = [];
  readonly views: { id: string; view: Json; triggerId: string; user: string | undefined }[] = [];
  readonly responses: { id: string; body: Json }[] = [];
  readonly users = new Map<string, SimUser>();
  /** Channels with a known member list; postEphemeral to anyone else fails with user_not_in_channel. */
  readonly channelMembers = new Map<string, Set<string>>();
  /** Files uploaded by the bot (files.uploadV2) and files shared by test users (shareFile), by id. */
  readonly files = new Map<string, SimFile>();
  private readonly triggers = new Map<string, { issuedAt: number; used: boolean; user: string | undefined }>();
  private readonly responseUrls = new Map<string, ResponseUrlContext>();
  private readonly limiter: SlackRateLimiter;
  private readonly failures: { method: string; error?: string; retryAfter?: number }[] = [];
  private counter = 0;
  readonly teamId: string;
  readonly botUserId: string;
  /** The Socket Mode WebSocket side (deliver envelopes, read acks). */
  readonly socketMode: SocketModeServer;
  baseUrl = '';

  private constructor(private readonly server: Server, private readonly options: SlackSimulatorOptions) {
    this.teamId = options.teamId ?? 'T0SIM';
    this.botUserId = options.botUserId ?? 'UBOT';
    this.limiter = new SlackRateLimiter({ ...defaultRateLimits, ...options.rateLimits });
    this.socketMode = new SocketModeServer(server);
  }

  static async start(options: SlackSimulatorOptions): Promise<SlackApiSimulator> {
    const holder: { sim?: SlackApiSimulator } = {};
    const server = createServer((req, res) => void holder.sim!.handle(req, res));
    const sim = new SlackApiSimulator(server, options);
    holder.sim = sim;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    sim.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return sim;
  }

  /** What SLACK_API_URL should be. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  async close(): Promise<void> {
    this.socketMode.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addUser(user: SimUser): void {
    this.users.set(user.id, user);
  }

  /** A trigger_id as Slack puts in a slash command or interaction payload. */
  newTriggerId(user?: string): string {
    const id = `${++this.counter}.${Date.now()}.${randomBytes(8).toString('hex')}`;
    this.triggers.set(id, { issuedAt: Date.now(), used: false, user });
    return id;
  }

  newResponseUrl(context: ResponseUrlContext): string {
    const id = randomBytes(8).toString('hex');
    this.responseUrls.set(id, context);
    return `${this.baseUrl}/response/${id}`;
  }

  /**
   * A file a user uploads with a message: kept by the simulator and served, with the bot token
   * only, at its url_private_download (without it Slack redirects to its sign-in page). Returns the
   * `files[]` entry of the event. `mimetype`/`filetype` default from the extension, as Slack detects them.
   */
  shareFile(props: { user: string; name: string; content: string; mimetype?: string; filetype?: string }): SlackEventFile {
    const id = `F${String(++this.counter).padStart(8, '0')}`;
    const extension = /\.([a-z0-9]+)$/i.exec(props.name)?.[1]?.toLowerCase() ?? '';
    const known: Record<string, [string, string, string]> = {
      csv: ['text/csv', 'csv', 'CSV'], txt: ['text/plain', 'text', 'Plain Text'], pdf: ['application/pdf', 'pdf', 'PDF'],
      xlsx: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx', 'Excel Spreadsheet'], png: ['image/png', 'png', 'PNG'],
    };
    const [mimetype, filetype, prettyType] = known[extension] ?? ['application/octet-stream', 'binary', 'Binary'];
    const file: SimFile = { id, filename: props.name, content: props.content, user: props.user, mimetype: props.mimetype ?? mimetype, filetype: props.filetype ?? filetype };
    this.files.set(id, file);
    const path = `/files-pri/${this.teamId}-${id}`;
    return {
      id, name: props.name, title: props.name, mimetype: file.mimetype!, filetype: file.filetype!, pretty_type: prettyType, user: props.user,
      size: Buffer.byteLength(props.content), mode: 'hosted', is_external: false, is_public: false,
      url_private: `${this.baseUrl}${path}/${encodeURIComponent(props.name)}`,
      url_private_download: `${this.baseUrl}${path}/download/${encodeURIComponent(props.name)}`,
      permalink: `${this.baseUrl}/files/${props.user}/${id}/${encodeURIComponent(props.name)}`,
    };
  }

  /** Makes the next call of `method` fail with an error code or a 429. */
  failNext(method: string, failure: { error?: string; retryAfter?: number }): void {
    this.failures.push({ method, ...failure });
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  message(ts: string): SimMessage | undefined {
    return [...this.messages.values()].find((m) => m.ts === ts);
  }

  /** Top-level messages of a channel (not thread replies), oldest first. */
  topLevelMessages(channel: string): SimMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel && !m.threadTs);
  }

  private nextTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(++this.counter).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', this.baseUrl);
    try {
      if (url.pathname.startsWith('/api/')) return this.handleApi(url.pathname.slice(5), req, raw, res);
      if (url.pathname.startsWith('/response/')) return this.handleResponseUrl(url.pathname.slice(10), raw, res);
      if (url.pathname.startsWith('/upload/')) return await this.handleUpload(url.pathname.slice(8), req, raw, res);
      if (url.pathname.startsWith('/files-pri/') && req.method === 'GET') return this.handleFileDownload(url, req, res);
      if (url.pathname === '/' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html><body><h1>Sign in to Simulated</h1></body></html>');
        return;
      }
      send(res, 404, { ok: false, error: 'unknown_path' });
    } catch (error) {
      send(res, 500, { ok: false, error: 'internal_error', detail: String(error) });
    }
  }

  private handleApi(method: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): void {
    const args = parseArgs(raw, req.headers['content-type']);
    const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '') || String(args.token ?? '');
    const call: RecordedCall = { method, args: { ...args, token: undefined }, at: Date.now(), outcome: 'ok' };
    this.calls.push(call);
    const finish = (status: number, body: Json, headers: Record<string, string> = {}) => {
      call.outcome = status === 429 ? 'ratelimited' : body.ok ? 'ok' : String(body.error);
      send(res, status, body, headers);
    };
    if (method === 'apps.connections.open') {
      // Only an app-level token opens a socket (Slack: not_allowed_token_type for a bot token).
      if (!this.options.appToken || token !== this.options.appToken) return finish(200, { ok: false, error: token.startsWith('xoxb-') ? 'not_allowed_token_type' : 'invalid_auth' });
      return finish(200, { ok: true, url: this.socketMode.url(this.baseUrl) });
    }
    if (token !== this.options.botToken) return finish(200, { ok: false, error: 'invalid_auth' });
    const failure = this.failures.findIndex((f) => f.method === method);
    if (failure >= 0) {
      const [f] = this.failures.splice(failure, 1);
      if (f!.retryAfter !== undefined) return finish(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(f!.retryAfter) });
      return finish(200, { ok: false, error: f!.error ?? 'internal_error' });
    }
    const wait = this.rateLimit(method, args);
    if (wait > 0) return finish(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(wait) });
    const body = this.dispatch(method, args);
    finish(200, body);
  }

  private rateLimit(method: string, args: Json): number {
    if (method === 'chat.update') return this.limiter.update(this.teamId, Date.now());
    if (method === 'chat.postMessage') return this.limiter.post(String(args.channel ?? ''), Date.now());
    return 0;
  }

  private dispatch(method: string, args: Json): Json {
    const blocks = args.blocks as Json[] | undefined;
    if (method.startsWith('chat.')) {
      const problems = blockKitProblems(blocks, 'message');
      if (problems.length > 0) return { ok: false, error: 'invalid_blocks', errors: problems };
      if (!args.text && !blocks && method !== 'chat.update') return { ok: false, error: 'no_text' };
    }
    if (MODAL_METHODS.has(method)) {
      const problems = blockKitProblems((args.view as Json | undefined)?.blocks, 'modal');
      if (problems.length > 0) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: problems } };
    }
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://sim.slack.com/', team: 'Simulated', user: 'mailferry', team_id: this.teamId, user_id: this.botUserId, bot_id: 'BSIM' };
      case 'chat.postMessage':
        return this.postMessage(args);
      case 'chat.update':
        return this.updateMessage(args);
      case 'chat.postEphemeral':
        return this.postEphemeral(args);
      case 'views.open':
        return this.openView(args);
      case 'users.info':
        return this.userInfo(String(args.user ?? ''));
      case 'conversations.open': {
        const user = String(args.users ?? '').split(',')[0];
        if (!user || !this.users.has(user)) return { ok: false, error: 'user_not_found' };
        return { ok: true, channel: { id: `D${user.slice(1)}` } };
      }
      case 'files.getUploadURLExternal': {
        if (!args.filename || !args.length) return { ok: false, error: 'invalid_arguments' };
        const id = `F${++this.counter}`;
        this.files.set(id, { id, filename: String(args.filename), content: '' });
        return { ok: true, file_id: id, upload_url: `${this.baseUrl}/upload/${id}` };
      }
      case 'files.completeUploadExternal':
        return this.completeUpload(args);
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private postMessage(args: Json): Json {
    const channel = String(args.channel ?? '');
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const ts = this.nextTs();
    const threadTs = args.thread_ts ? String(args.thread_ts) : undefined;
    this.messages.set(`${channel}:${ts}`, { channel, ts, text: String(args.text ?? ''), blocks: args.blocks as Json[] | undefined, threadTs, history: [] });
    return { ok: true, channel, ts, message: { text: args.text, ts, blocks: args.blocks } };
  }

  private updateMessage(args: Json): Json {
    const channel = String(args.channel ?? '');
    const message = this.messages.get(`${channel}:${String(args.ts ?? '')}`);
    if (!message) return { ok: false, error: 'message_not_found' };
    message.history.push({ text: message.text, blocks: message.blocks });
    if (args.text !== undefined) message.text = String(args.text);
    if (args.blocks !== undefined) message.blocks = args.blocks as Json[];
    return { ok: true, channel, ts: message.ts, text: message.text };
  }

  private postEphemeral(args: Json): Json {
    const channel = String(args.channel ?? '');
    const user = String(args.user ?? '');
    if (!channel) return { ok: false, error: 'channel_not_found' };
    if (!this.users.has(user)) return { ok: false, error: 'user_not_found' };
    const members = this.channelMembers.get(channel);
    if (members && !members.has(user)) return { ok: false, error: 'user_not_in_channel' };
    const messageTs = this.nextTs();
    this.ephemerals.push({ channel, user, messageTs, text: String(args.text ?? ''), blocks: args.blocks as Json[] | undefined, replaced: 0 });
    return { ok: true, message_ts: messageTs };
  }

  private openView(args: Json): Json {
    const triggerId = String(args.trigger_id ?? '');
    if (!triggerId) return { ok: false, error: 'invalid_arguments' };
    const trigger = this.triggers.get(triggerId);
    if (!trigger) return { ok: false, error: 'invalid_trigger_id' };
    if (trigger.used) return { ok: false, error: 'trigger_exchanged' };
    if (Date.now() - trigger.issuedAt > (this.options.triggerTtlMs ?? 3000)) return { ok: false, error: 'trigger_expired' };
    trigger.used = true;
    const view = args.view as Json | undefined;
    if (!view || view.type !== 'modal') return { ok: false, error: 'invalid_arguments' };
    const id = `V${++this.counter}`;
    this.views.push({ id, view, triggerId, user: trigger.user });
    return { ok: true, view: { ...view, id } };
  }

  private userInfo(id: string): Json {
    const user = this.users.get(id);
    if (!user) return { ok: false, error: 'user_not_found' };
    return {
      ok: true,
      user: {
        id: user.id, team_id: this.teamId, name: user.name, real_name: user.realName ?? user.name,
        is_admin: user.isAdmin ?? false, is_owner: user.isOwner ?? false, is_bot: false,
        profile: { real_name: user.realName ?? user.name, display_name: user.name },
      },
    };
  }

  private completeUpload(args: Json): Json {
    const list = (typeof args.files === 'string' ? JSON.parse(args.files) : args.files) as { id: string; title?: string }[] | undefined;
    if (!Array.isArray(list) || list.length === 0) return { ok: false, error: 'invalid_arguments' };
    const files = list.map((f) => this.files.get(f.id));
    if (files.some((f) => !f)) return { ok: false, error: 'file_not_found' };
    const channel = args.channel_id ? String(args.channel_id) : undefined;
    if (channel) {
      const ts = this.nextTs();
      this.messages.set(`${channel}:${ts}`, {
        channel, ts, text: String(args.initial_comment ?? ''), blocks: undefined, threadTs: args.thread_ts ? String(args.thread_ts) : undefined, history: [],
        files: files.map((f, i) => ({ id: f!.id, title: list[i]!.title ?? f!.filename, content: f!.content })),
      });
    }
    return { ok: true, files: files.map((f, i) => ({ id: f!.id, title: list[i]!.title ?? f!.filename, name: f!.filename })) };
  }

  private async handleUpload(id: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const file = this.files.get(id);
    if (!file) return send(res, 404, { ok: false, error: 'file_not_found' });
    const type = String(req.headers['content-type'] ?? '');
    if (type.startsWith('multipart/form-data')) {
      const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData();
      const part = [...form.values()][0];
      file.content = typeof part === 'string' ? part : part ? await part.text() : '';
    } else {
      file.content = raw.toString('utf8');
    }
    this.calls.push({ method: 'upload', args: { file_id: id, bytes: raw.length }, at: Date.now(), outcome: 'ok' });
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${raw.length}`);
  }

  /**
   * GET url_private(_download): the file with `Authorization: Bearer <bot token>`; anything else is
   * redirected to the workspace sign-in page, as Slack does. Recorded as `file.download` calls.
   */
  private handleFileDownload(url: URL, req: IncomingMessage, res: ServerResponse): void {
    const match = /^\/files-pri\/[^/]+-(F[^/]+)\//.exec(url.pathname);
    const file = match ? this.files.get(match[1]!) : undefined;
    const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    const call: RecordedCall = { method: 'file.download', args: { file_id: match?.[1] }, at: Date.now(), outcome: 'ok' };
    this.calls.push(call);
    if (token !== this.options.botToken) {
      call.outcome = 'not_authed';
      res.writeHead(302, { location: `${this.baseUrl}/?redir=${encodeURIComponent(url.pathname)}` }).end();
      return;
    }
    if (!file) {
      call.outcome = 'file_not_found';
      res.writeHead(404, { 'content-type': 'text/plain' }).end('File not found');
      return;
    }
    const body = Buffer.from(file.content, 'utf8');
    res.writeHead(200, { 'content-type': file.mimetype ?? 'application/octet-stream', 'content-length': String(body.length) }).end(body);
  }

  /** response_url: in_channel posts, ephemeral notes, or replace_original of the message clicked. */
  private handleResponseUrl(id: string, raw: Buffer, res: ServerResponse): void {
    const context = this.responseUrls.get(id);
    const body = parseArgs(raw, 'application/json');
    this.calls.push({ method: 'response_url', args: body, at: Date.now(), outcome: context ? 'ok' : 'expired_url' });
    if (!context) return send(res, 404, { ok: false, error: 'expired_url' });
    this.responses.push({ id, body });
    const blocks = body.blocks as Json[] | undefined;
    const problems = blockKitProblems(blocks, 'message');
    if (problems.length > 0) return send(res, 400, { ok: false, error: 'invalid_blocks', errors: problems });
    const text = String(body.text ?? '');
    if (body.replace_original && context.messageTs) {
      const ephemeral = this.ephemerals.find((e) => e.messageTs === context.messageTs);
      if (ephemeral) Object.assign(ephemeral, { text, blocks, replaced: ephemeral.replaced + 1 });
      else this.updateMessage({ channel: context.channel, ts: context.messageTs, text, blocks });
    } else if (body.response_type === 'in_channel') {
      this.postMessage({ channel: context.channel, text, blocks });
    } else {
      this.ephemerals.push({ channel: context.channel, user: context.user, messageTs: this.nextTs(), text, blocks, replaced: 0 });
    }
    send(res, 200, { ok: true });
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** WebClient sends form fields with nested values (blocks, view) JSON-encoded; some callers send JSON. */
function parseArgs(raw: Buffer, contentType: string | undefined): Json {
  const text = raw.toString('utf8');
  if (!text) return {};
  if ((contentType ?? '').includes('application/json')) return JSON.parse(text) as Json;
  const args: Json = {};
  for (const [key, value] of new URLSearchParams(text)) {
    args[key] = /^[[{]/.test(value) ? tryJson(value) : value;
  }
  return args;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function send(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}
