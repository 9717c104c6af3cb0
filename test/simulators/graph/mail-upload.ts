/**
 * Large attachments (learn.microsoft.com/graph/outlook-large-attachments): POST
 * …/messages/{id}/attachments/createUploadSession answers a pre-authenticated upload URL on the
 * "Outlook" side (here /api/v2.0/… on the simulator's origin, outside /v1.0), which takes PUTs of
 * contiguous byte ranges (Content-Range, at most 4 MB each) without an Authorization header: 200 with
 * nextExpectedRanges while incomplete, 201 Created with the attachment's Location when done. Chunks
 * count against the app + mailbox upload window and in-flight limit like any item-creating request.
 * The finished attachment lands on the message (so `$value` and the harness truth carry its bytes);
 * the message keeps its draft state.
 */
import { randomBytes } from 'node:crypto';
import { badRequest, graphError, json, notFound, parseJsonBody, type SimRequest, type SimResponse } from './http.js';
import { touch } from './messages.js';
import type { GraphRouter, Route, RouteContext } from './router.js';
import { newId, type SimState } from './state.js';
import type { SimMessage } from './types.js';

/** "Between 3 MB and 150 MB" (the docs); below it Graph answers ErrorAttachmentSizeShouldNotBeLessThanMinimumSize. */
export const SESSION_MIN_BYTES = 3_000_000;
export const SESSION_MAX_BYTES = 150 * 1024 * 1024;
/** "Iteratively upload ranges of bytes (up to 4 MB each time)". */
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
const SESSION_LIFETIME_MS = 15 * 60_000;
const UPLOAD_PATH = /^\/api\/v2\.0\/Users\('([^']+)'\)\/Messages\('([^']+)'\)\/AttachmentSessions\('([^']+)'\)$/;

interface UploadSession {
  id: string;
  token: string;
  tenantId: string;
  clientId: string;
  userId: string;
  messageId: string;
  name: string;
  contentType: string;
  isInline: boolean;
  contentId?: string;
  bytes: Buffer;
  next: number;
  expiresAt: number;
}

const sessions = new WeakMap<SimState, Map<string, UploadSession>>();

function sessionsOf(state: SimState): Map<string, UploadSession> {
  let map = sessions.get(state);
  if (!map) {
    map = new Map();
    sessions.set(state, map);
  }
  return map;
}

const sessionUrl = (state: SimState, s: UploadSession, what = `AttachmentSessions('${s.id}')`) =>
  `${state.origin}/api/v2.0/Users('${s.userId}@${s.tenantId}')/Messages('${s.messageId}')/${what}`;

export function createUploadSession(c: RouteContext, m: SimMessage): SimResponse {
  const body = parseJsonBody(c.req);
  const item = body?.['AttachmentItem'] as Record<string, unknown> | undefined;
  if (!item || typeof item !== 'object') return badRequest('The AttachmentItem parameter is required.');
  if (item['attachmentType'] !== 'file') return badRequest('Only attachmentType "file" is supported.');
  const name = typeof item['name'] === 'string' ? item['name'].trim() : '';
  const size = item['size'];
  if (!name) return badRequest('The attachment name is required.');
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) return badRequest('The attachment size must be a whole number of bytes.');
  if (size < SESSION_MIN_BYTES) {
    return badRequest('Attachments under 3 MB are added with a single POST on the attachments navigation property.', 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize');
  }
  if (size > SESSION_MAX_BYTES) return graphError(413, 'ErrorMessageSizeExceeded', 'Attachments over 150 MB are not supported.');
  const s: UploadSession = {
    id: newId(),
    token: randomBytes(24).toString('base64url'),
    tenantId: c.tenant.id,
    clientId: c.clientId,
    userId: c.user.id,
    messageId: m.id,
    name,
    contentType: typeof item['contentType'] === 'string' && item['contentType'] ? item['contentType'] : 'application/octet-stream',
    isInline: item['isInline'] === true,
    ...(typeof item['contentId'] === 'string' && item['contentId'] ? { contentId: item['contentId'] } : {}),
    bytes: Buffer.alloc(size),
    next: 0,
    expiresAt: Date.now() + SESSION_LIFETIME_MS,
  };
  sessionsOf(c.state).set(s.id, s);
  return json(201, {
    '@odata.context': `${c.state.origin}/v1.0/$metadata#microsoft.graph.uploadSession`,
    uploadUrl: `${sessionUrl(c.state, s)}?authtoken=${s.token}`,
    expirationDateTime: new Date(s.expiresAt).toISOString(),
    nextExpectedRanges: ['0-'],
  });
}

/**
 * The pre-authenticated upload URL (PUT a range, DELETE to cancel); null for any other path. Chunks go
 * through the router's per app + mailbox limiter as item-creating requests.
 */
export async function attachmentSessionRoute(state: SimState, router: GraphRouter, req: SimRequest): Promise<SimResponse | null> {
  const m = UPLOAD_PATH.exec(req.path);
  if (!m) return null;
  state.stats.requests++;
  const label = `${req.method} /api/v2.0/{attachmentSession}`;
  state.stats.byRoute[label] = (state.stats.byRoute[label] ?? 0) + 1;
  const s = sessionsOf(state).get(decodeURIComponent(m[3]!));
  if (!s || s.messageId !== decodeURIComponent(m[2]!) || s.expiresAt <= Date.now()) return notFound('The upload session does not exist or has expired.');
  if (req.query.get('authtoken') !== s.token) return graphError(401, 'InvalidAuthenticationToken', 'The upload URL\'s authtoken is missing or wrong.');
  if (req.headers['authorization']) {
    return graphError(401, 'InvalidAuthenticationToken', 'The upload URL is pre-authenticated: do not send an Authorization header.');
  }
  const tenant = state.tenants.get(s.tenantId);
  const user = tenant?.users.get(s.userId);
  if (!tenant || !user) return notFound('The mailbox of the upload session no longer exists.');
  if (req.method === 'DELETE') {
    sessionsOf(state).delete(s.id);
    return { status: 204, headers: {} };
  }
  if (req.method !== 'PUT') return graphError(405, 'ErrorInvalidRequest', 'The upload URL takes PUT and DELETE only.');
  const route: Route = { method: 'PUT', scope: 'mailbox', upload: true, pattern: UPLOAD_PATH, handler: (c) => putRange(c, s) };
  return router.limited({ state, req, tenant, clientId: s.clientId, params: [], user }, route);
}

function putRange(c: RouteContext, s: UploadSession): SimResponse {
  const { req } = c;
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec((req.headers['content-range'] ?? '').trim());
  if (!range) return badRequest('The Content-Range header is missing or not "bytes {start}-{end}/{total}".', 'InvalidContentRange');
  const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
  const length = Number(req.headers['content-length'] ?? NaN);
  if (length !== req.body.length || end - start + 1 !== req.body.length) {
    return badRequest(`Content-Length (${req.headers['content-length'] ?? 'missing'}) does not match the body or the Content-Range.`, 'InvalidContentRange');
  }
  if (total !== s.bytes.length) return badRequest(`The upload session is for ${s.bytes.length} bytes, but the range declares a total of ${total}.`, 'InvalidContentRange');
  if (req.body.length > MAX_CHUNK_BYTES) return graphError(413, 'RequestEntityTooLarge', 'Upload at most 4 MB per request.');
  if (start !== s.next || end >= total) {
    return graphError(416, 'InvalidRange', `The range ${start}-${end} is not the next expected one (${s.next}-); bytes must be uploaded in order.`);
  }
  req.body.copy(s.bytes, start);
  s.next = end + 1;
  const expirationDateTime = new Date(s.expiresAt).toISOString();
  if (s.next < total) return json(200, { expirationDateTime, nextExpectedRanges: [String(s.next)] });
  sessionsOf(c.state).delete(s.id);
  const box = c.user.mailbox;
  const m = box.messages.get(s.messageId);
  if (!m) return notFound('The message of the upload session no longer exists.');
  const attachmentId = newId();
  m.attachments.push({ name: s.name, contentType: s.contentType, contentBytes: s.bytes.toString('base64'), isInline: s.isInline, ...(s.contentId ? { contentId: s.contentId } : {}) });
  touch(box, m);
  return { status: 201, headers: { location: sessionUrl(c.state, s, `Attachments('${attachmentId}')`) } };
}
