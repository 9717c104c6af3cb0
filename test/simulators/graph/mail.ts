/**
 * Mail folders and messages: listing (root children only, hidden ones on request), creation with
 * ErrorFolderExists, message probes by internetMessageId or named extended property, JSON and MIME
 * creation (draft rule and 4 MB cap), `$value`, attachments (up to 3 MB in one POST; larger ones
 * through an upload session, mail-upload.ts), `$expand=singleValueExtendedProperties($filter=id eq …)`,
 * PATCH (extended properties merged by id; the draft state and times stay what the create made
 * them, as PR_MESSAGE_FLAGS is settable only before the first save), move and delete.
 */
import { badRequest, eqFilter, graphError, json, notFound, page, parseJsonBody, select, type SimResponse } from './http.js';
import { createUploadSession } from './mail-upload.js';
import { createFromJson, createFromMime, messageMime, renderMessage, toAttachment, touch } from './messages.js';
import type { Route, RouteContext } from './router.js';
import { childFolders, findFolder, newId } from './state.js';
import type { Json, SimFolder, SimMailbox, SimMessage } from './types.js';

const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const MAX_ATTACHMENT_BYTES = 3 * 1024 * 1024;
const F = '([^/]+)';

export const mailRoutes: Route[] = [
  { method: 'GET', scope: 'mailbox', pattern: /^\/mailFolders$/, handler: (c) => listFolders(c, rootOf(c)) },
  { method: 'GET', scope: 'mailbox', pattern: new RegExp(`^/mailFolders/${F}$`), handler: getFolder },
  { method: 'GET', scope: 'mailbox', pattern: new RegExp(`^/mailFolders/${F}/childFolders$`), handler: (c) => withFolder(c, (f) => listFolders(c, f)) },
  { method: 'POST', scope: 'mailbox', pattern: /^\/mailFolders$/, handler: (c) => createFolder(c, rootOf(c)) },
  { method: 'POST', scope: 'mailbox', pattern: new RegExp(`^/mailFolders/${F}/childFolders$`), handler: (c) => withFolder(c, (f) => createFolder(c, f)) },
  { method: 'GET', scope: 'mailbox', pattern: new RegExp(`^/mailFolders/${F}/messages$`), handler: (c) => withFolder(c, (f) => listMessages(c, f)) },
  { method: 'GET', scope: 'mailbox', pattern: /^\/messages$/, handler: (c) => listMessages(c, null) },
  { method: 'POST', scope: 'mailbox', upload: true, pattern: new RegExp(`^/mailFolders/${F}/messages$`), handler: (c) => withFolder(c, (f) => createMessage(c, f)) },
  { method: 'POST', scope: 'mailbox', upload: true, pattern: /^\/messages$/, handler: (c) => createMessage(c, findFolder(mb(c), 'drafts')!) },
  { method: 'GET', scope: 'mailbox', pattern: new RegExp(`^/messages/${F}$`), handler: (c) => withMessage(c, (m) => json(200, expanded(c, m, select(renderMessage(m, wantsHeaders(c)), c.req.query)))) },
  { method: 'GET', scope: 'mailbox', pattern: new RegExp(`^/messages/${F}/\\$value$`), handler: (c) => withMessage(c, (m) => ({ status: 200, headers: { 'content-type': 'message/rfc822' }, body: messageMime(m) })) },
  { method: 'POST', scope: 'mailbox', upload: true, pattern: new RegExp(`^/messages/${F}/attachments$`), handler: addAttachment },
  { method: 'POST', scope: 'mailbox', pattern: new RegExp(`^/messages/${F}/attachments/createUploadSession$`), handler: (c) => withMessage(c, (m) => createUploadSession(c, m)) },
  { method: 'PATCH', scope: 'mailbox', pattern: new RegExp(`^/messages/${F}$`), handler: patchMessage },
  { method: 'DELETE', scope: 'mailbox', pattern: new RegExp(`^/messages/${F}$`), handler: deleteMessage },
  { method: 'POST', scope: 'mailbox', pattern: new RegExp(`^/messages/${F}/move$`), handler: moveMessage },
];

const mb = (c: RouteContext): SimMailbox => c.user.mailbox;
const rootOf = (c: RouteContext): SimFolder => findFolder(mb(c), 'msgfolderroot')!;
const wantsHeaders = (c: RouteContext) => (c.req.query.get('$select') ?? '').includes('internetMessageHeaders');

function withFolder(c: RouteContext, run: (f: SimFolder) => SimResponse): SimResponse {
  const f = findFolder(mb(c), decodeURIComponent(c.params[0]!));
  return f ? run(f) : notFound('The specified folder could not be found in the store.');
}

function withMessage(c: RouteContext, run: (m: SimMessage) => SimResponse): SimResponse {
  const m = mb(c).messages.get(decodeURIComponent(c.params[0]!));
  return m ? run(m) : notFound();
}

export function renderFolder(box: SimMailbox, f: SimFolder, expandSize: boolean): Json {
  const messages = [...box.messages.values()].filter((m) => m.folderId === f.id);
  const out: Json = {
    id: f.id,
    displayName: f.displayName,
    parentFolderId: f.parentId,
    childFolderCount: childFolders(box, f.id).length,
    unreadItemCount: messages.filter((m) => !m.isRead).length,
    totalItemCount: messages.length,
    isHidden: f.hidden,
  };
  if (expandSize) {
    const size = messages.reduce((s, m) => s + messageMime(m).length, 0);
    out['singleValueExtendedProperties'] = [{ id: 'Long 0x0e08', value: String(size) }];
  }
  return out;
}

const expandsSize = (c: RouteContext) => /0x0E08/i.test(c.req.query.get('$expand') ?? '');

function getFolder(c: RouteContext): SimResponse {
  return withFolder(c, (f) => json(200, select(renderFolder(mb(c), f, expandsSize(c)), c.req.query)));
}

function listFolders(c: RouteContext, parent: SimFolder): SimResponse {
  const hidden = c.req.query.get('includeHiddenFolders') === 'true';
  const items = childFolders(mb(c), parent.id)
    .filter((f) => hidden || !f.hidden)
    .map((f) => renderFolder(mb(c), f, expandsSize(c)));
  return page(c.req, c.state.origin, items);
}

function createFolder(c: RouteContext, parent: SimFolder): SimResponse {
  const body = parseJsonBody(c.req);
  const name = typeof body?.['displayName'] === 'string' ? body['displayName'].trim() : '';
  if (!name) return badRequest('The displayName property is required.', 'ErrorInvalidRequest');
  if (childFolders(mb(c), parent.id).some((f) => f.displayName.toLowerCase() === name.toLowerCase())) {
    return graphError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
  }
  const f: SimFolder = { id: newId(), displayName: name, parentId: parent.id, wellKnown: null, hidden: body?.['isHidden'] === true };
  mb(c).folders.set(f.id, f);
  return json(201, renderFolder(mb(c), f, false));
}

const EXT_FILTER = /^singleValueExtendedProperties\/Any\(\s*(\w+)\s*:\s*\1\/id eq '((?:[^']|'')*)' and \1\/value eq '((?:[^']|'')*)'\s*\)$/i;

function listMessages(c: RouteContext, folder: SimFolder | null): SimResponse {
  let items = [...mb(c).messages.values()].filter((m) => !folder || m.folderId === folder.id);
  const filter = c.req.query.get('$filter');
  if (filter) {
    const eq = eqFilter(filter);
    const ext = EXT_FILTER.exec(filter.trim());
    if (eq && eq[0] === 'internetMessageId') items = items.filter((m) => m.internetMessageId === eq[1]);
    else if (ext) {
      const [id, value] = [ext[2]!.replace(/''/g, "'"), ext[3]!.replace(/''/g, "'")];
      items = items.filter((m) => m.extended.some((p) => p.id.toLowerCase() === id.toLowerCase() && p.value === value));
    } else return badRequest(`Unsupported $filter: ${filter}`, 'ErrorInvalidUrlQueryFilter');
  }
  const out = page(c.req, c.state.origin, items.map((m) => renderMessage(m)));
  const body = out.body as { value?: Json[] } | undefined;
  if (body?.value) body.value = body.value.map((rendered) => expanded(c, mb(c).messages.get(String(rendered['id']))!, rendered));
  return out;
}

const EXPAND_EXTENDED = /^singleValueExtendedProperties\(\$filter=id eq '((?:[^']|'')*)'\)$/i;

/**
 * `$expand=singleValueExtendedProperties($filter=id eq '…')`: the property when the message has it
 * (the navigation property is left out when it does not), whatever `$select` says.
 */
function expanded(c: RouteContext, m: SimMessage, rendered: Json): Json {
  const expand = c.req.query.get('$expand');
  if (!expand) return rendered;
  const want = EXPAND_EXTENDED.exec(expand.trim());
  if (!want) return rendered;
  const id = want[1]!.replace(/''/g, "'").toLowerCase();
  const hits = m.extended.filter((p) => p.id.toLowerCase() === id).map((p) => ({ id: p.id, value: p.value }));
  return hits.length > 0 ? { ...rendered, singleValueExtendedProperties: hits } : rendered;
}

function createMessage(c: RouteContext, folder: SimFolder): SimResponse {
  if (c.req.body.length > MAX_REQUEST_BYTES) return graphError(413, 'RequestEntityTooLarge', 'The request body exceeds the 4 MB limit.');
  let m: SimMessage;
  if ((c.req.headers['content-type'] ?? '').startsWith('text/plain')) {
    const mime = Buffer.from(c.req.body.toString('latin1').replace(/\s+/g, ''), 'base64');
    if (mime.length === 0) return badRequest('Invalid base64 string for MIME content.', 'ErrorMimeContentInvalidBase64String');
    m = createFromMime(mb(c), folder.id, mime);
  } else {
    const body = parseJsonBody(c.req);
    if (!body) return badRequest('Unable to read JSON request payload.', 'RequestBodyRead');
    m = createFromJson(mb(c), folder.id, body);
  }
  if (m.isDraft) c.state.stats.draftsCreated++;
  return json(201, renderMessage(m));
}

function addAttachment(c: RouteContext): SimResponse {
  return withMessage(c, (m) => {
    const body = parseJsonBody(c.req);
    if (!body || body['@odata.type'] !== '#microsoft.graph.fileAttachment') return badRequest('Only fileAttachment is supported.');
    const a = toAttachment(body);
    if (Buffer.from(a.contentBytes, 'base64').length > MAX_ATTACHMENT_BYTES) {
      return graphError(413, 'RequestEntityTooLarge', 'Attachments over 3 MB need an upload session.');
    }
    m.attachments.push(a);
    touch(mb(c), m);
    return json(201, { '@odata.type': '#microsoft.graph.fileAttachment', id: newId(), name: a.name, contentType: a.contentType, size: a.contentBytes.length, isInline: a.isInline });
  });
}

function patchMessage(c: RouteContext): SimResponse {
  return withMessage(c, (m) => {
    const body = parseJsonBody(c.req);
    if (!body) return badRequest('Unable to read JSON request payload.', 'RequestBodyRead');
    const extended = extendedPatch(body['singleValueExtendedProperties']);
    if (extended === null) return badRequest('Each single-value extended property needs a string id and a string value.');
    if (typeof body['isRead'] === 'boolean') m.isRead = body['isRead'];
    const flag = body['flag'] as { flagStatus?: string } | undefined;
    if (flag?.flagStatus === 'flagged' || flag?.flagStatus === 'complete' || flag?.flagStatus === 'notFlagged') m.flagStatus = flag.flagStatus;
    if (Array.isArray(body['categories'])) m.categories = body['categories'].map(String);
    if (m.isDraft && typeof body['subject'] === 'string') m.subject = body['subject'];
    for (const p of extended) {
      const at = m.extended.findIndex((e) => e.id.toLowerCase() === p.id.toLowerCase());
      if (at >= 0) m.extended[at] = p;
      else m.extended.push(p);
    }
    touch(mb(c), m);
    return json(200, renderMessage(m));
  });
}

/** The properties of a PATCH (none when absent), or null when malformed. */
function extendedPatch(value: unknown): { id: string; value: string }[] | null {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return null;
  const props = value as { id?: unknown; value?: unknown }[];
  if (props.some((p) => typeof p?.id !== 'string' || !p.id.trim() || typeof p.value !== 'string')) return null;
  return props.map((p) => ({ id: String(p.id), value: String(p.value) }));
}

function deleteMessage(c: RouteContext): SimResponse {
  return withMessage(c, (m) => {
    const box = mb(c);
    box.messages.delete(m.id);
    box.seq++;
    box.removed.set(m.id, { folderId: m.folderId, seq: box.seq });
    return { status: 204, headers: {} };
  });
}

/** With immutable ids the id survives the move; delta shows a removal in the old folder and an add in the new. */
function moveMessage(c: RouteContext): SimResponse {
  return withMessage(c, (m) => {
    const body = parseJsonBody(c.req);
    const dest = typeof body?.['destinationId'] === 'string' ? findFolder(mb(c), body['destinationId']) : undefined;
    if (!dest) return notFound('The specified folder could not be found in the store.');
    const box = mb(c);
    box.seq++;
    box.removed.set(m.id, { folderId: m.folderId, seq: box.seq });
    m.folderId = dest.id;
    touch(box, m);
    return json(201, renderMessage(m));
  });
}
