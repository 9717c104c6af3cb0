/**
 * Message model operations shared by routes and the harness: seeding from MIME, creating from Graph
 * JSON (with the draft rule of the contract), rendering, `$value`, and change sequencing for delta.
 */
import { newId } from './state.js';
import { generateMime, parseMime } from './mime.js';
import type { Json, SimAttachment, SimMailbox, SimMessage } from './types.js';

const MSGFLAG_UNSENT = 8;
const generated = new WeakMap<SimMessage, Buffer>();

export function touch(mb: SimMailbox, m: SimMessage): void {
  mb.seq++;
  m.seq = mb.seq;
  generated.delete(m);
}

/** Seeded items arrive as delivered mail: not drafts, MIME kept byte for byte. */
export function seedMessage(mb: SimMailbox, folderId: string, mime: Buffer, o: { isRead?: boolean; receivedDateTime?: string; flagged?: boolean; categories?: string[] }): SimMessage {
  const p = parseMime(mime);
  const received = o.receivedDateTime ?? p.date ?? new Date().toISOString();
  const m: SimMessage = {
    id: newId(),
    folderId,
    mime,
    subject: p.subject,
    internetMessageId: p.messageId,
    from: p.from,
    toRecipients: p.to,
    ccRecipients: p.cc,
    bccRecipients: [],
    replyTo: [],
    body: { contentType: 'text', content: p.body.slice(0, 4096) },
    internetMessageHeaders: [],
    attachments: [],
    extended: [],
    isRead: o.isRead ?? false,
    isDraft: false,
    flagStatus: o.flagged ? 'flagged' : 'notFlagged',
    categories: o.categories ?? [],
    receivedDateTime: received,
    sentDateTime: p.date ?? received,
    createdDateTime: new Date().toISOString(),
    seq: 0,
  };
  mb.messages.set(m.id, m);
  touch(mb, m);
  return m;
}

/** POST …/messages with JSON. Draft unless PR_MESSAGE_FLAGS (Integer 0x0E07) is set without MSGFLAG_UNSENT. */
export function createFromJson(mb: SimMailbox, folderId: string, body: Json): SimMessage {
  const extended = arrayOf<{ id: string; value: string }>(body['singleValueExtendedProperties']).map((p) => ({ id: String(p.id), value: String(p.value) }));
  const prop = (re: RegExp) => extended.find((p) => re.test(p.id.trim()))?.value;
  const flags = prop(/^Integer\s+0x0E07$/i);
  const isDraft = flags === undefined || (Number(flags) & MSGFLAG_UNSENT) !== 0;
  const now = new Date().toISOString();
  const received = (!isDraft && isoOrNull(prop(/^SystemTime\s+0x0E06$/i))) || now;
  const sent = (!isDraft && isoOrNull(prop(/^SystemTime\s+0x0039$/i))) || received;
  const flag = (body['flag'] ?? {}) as { flagStatus?: string };
  const m: SimMessage = {
    id: newId(),
    folderId,
    mime: null,
    subject: String(body['subject'] ?? ''),
    internetMessageId: typeof body['internetMessageId'] === 'string' ? body['internetMessageId'] : `<${newId()}@graph.simulator>`,
    from: (body['from'] as Json | undefined) ?? (body['sender'] as Json | undefined) ?? null,
    toRecipients: arrayOf<Json>(body['toRecipients']),
    ccRecipients: arrayOf<Json>(body['ccRecipients']),
    bccRecipients: arrayOf<Json>(body['bccRecipients']),
    replyTo: arrayOf<Json>(body['replyTo']),
    body: { contentType: 'text', content: '', ...((body['body'] as { contentType: string; content: string } | undefined) ?? {}) },
    internetMessageHeaders: arrayOf<{ name: string; value: string }>(body['internetMessageHeaders']),
    attachments: arrayOf<Json>(body['attachments']).map(toAttachment),
    extended,
    isRead: body['isRead'] === true,
    isDraft,
    flagStatus: flag.flagStatus === 'flagged' || flag.flagStatus === 'complete' ? flag.flagStatus : 'notFlagged',
    categories: arrayOf<string>(body['categories']).map(String),
    receivedDateTime: received,
    sentDateTime: sent,
    createdDateTime: now,
    seq: 0,
  };
  mb.messages.set(m.id, m);
  touch(mb, m);
  return m;
}

/** POST /users/{id}/messages with text/plain base64 MIME: Graph keeps the bytes but the item is always a draft. */
export function createFromMime(mb: SimMailbox, folderId: string, mime: Buffer): SimMessage {
  const m = seedMessage(mb, folderId, mime, {});
  m.isDraft = true;
  m.receivedDateTime = m.createdDateTime;
  return m;
}

export function toAttachment(a: Json): SimAttachment {
  return {
    name: String(a['name'] ?? 'attachment'),
    contentType: String(a['contentType'] ?? 'application/octet-stream'),
    contentBytes: String(a['contentBytes'] ?? ''),
    contentId: typeof a['contentId'] === 'string' ? a['contentId'] : undefined,
    isInline: a['isInline'] === true,
  };
}

export function messageMime(m: SimMessage): Buffer {
  if (m.mime) return m.mime;
  let g = generated.get(m);
  if (!g) {
    g = generateMime(m);
    generated.set(m, g);
  }
  return g;
}

export function renderMessage(m: SimMessage, withHeaders = false): Json {
  const out: Json = {
    '@odata.etag': `W/"CQAAAB${m.seq}"`,
    id: m.id,
    createdDateTime: m.createdDateTime,
    lastModifiedDateTime: m.createdDateTime,
    receivedDateTime: m.receivedDateTime,
    sentDateTime: m.sentDateTime,
    hasAttachments: m.attachments.some((a) => !a.isInline),
    internetMessageId: m.internetMessageId,
    subject: m.subject,
    bodyPreview: m.body.content.replace(/<[^>]*>/g, '').slice(0, 255),
    importance: 'normal',
    parentFolderId: m.folderId,
    isRead: m.isRead,
    isDraft: m.isDraft,
    body: m.body,
    sender: m.from,
    from: m.from,
    toRecipients: m.toRecipients,
    ccRecipients: m.ccRecipients,
    bccRecipients: m.bccRecipients,
    replyTo: m.replyTo,
    flag: { flagStatus: m.flagStatus },
    categories: m.categories,
  };
  if (withHeaders) out['internetMessageHeaders'] = m.internetMessageHeaders;
  return out;
}

function arrayOf<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

function isoOrNull(v: string | undefined): string | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
