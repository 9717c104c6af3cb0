/**
 * MIME ↔ Graph message. Writing: Graph turns every MIME upload into a draft forever (reference
 * §1.4, pitfall 15), so a message is created from JSON instead: parsed with mailparser, with
 * PR_MESSAGE_FLAGS (Integer 0x0E07) set WITHOUT MSGFLAG_UNSENT (that is what makes it a received
 * item rather than a draft), the delivery and submit times (SystemTime 0x0E06 / 0x0039), and the
 * source hash in a named property for the idempotency probe. Reading: the item's own MIME ($value).
 * Flags cross as IMAP-style words: \Seen ↔ isRead, \Flagged ↔ flag, keywords ↔ categories.
 */
import { simpleParser, type AddressObject, type Attachment, type EmailAddress } from 'mailparser';
import { HASH_PROPERTY } from './m365-context.js';

export interface GraphRecipient { emailAddress: { address: string; name?: string } }

export interface GraphFileAttachment {
  '@odata.type': '#microsoft.graph.fileAttachment';
  name: string;
  contentType: string;
  contentBytes: string;
  contentId?: string;
  isInline: boolean;
}

export interface GraphMessageCreate {
  subject: string;
  body: { contentType: 'html' | 'text'; content: string };
  from?: GraphRecipient;
  sender?: GraphRecipient;
  toRecipients: GraphRecipient[];
  ccRecipients: GraphRecipient[];
  bccRecipients: GraphRecipient[];
  replyTo: GraphRecipient[];
  internetMessageId?: string;
  importance?: 'low' | 'high';
  isRead: boolean;
  flag: { flagStatus: 'flagged' | 'notFlagged' };
  categories: string[];
  internetMessageHeaders?: { name: string; value: string }[];
  attachments: GraphFileAttachment[];
  singleValueExtendedProperties: { id: string; value: string }[];
}

/** MSGFLAG_READ; MSGFLAG_UNSENT (8) is deliberately absent. */
const MSGFLAG_READ = 1;
/** Graph accepts a handful of x- headers, each at most this long. */
const MAX_X_HEADERS = 5;
const MAX_HEADER_VALUE = 900;
const SYSTEM_FLAGS = new Set(['\\seen', '\\flagged', '\\answered', '\\draft', '\\deleted', '\\recent']);
/** Keywords that are IMAP housekeeping, not user categories. */
const HOUSEKEEPING = new Set(['$forwarded', '$mdnsent', '$junk', '$notjunk', '$phishing', 'nonjunk', 'junk', '$submitpending', '$submitted']);

function recipients(value: AddressObject | AddressObject[] | undefined): GraphRecipient[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const flat = (a: EmailAddress): EmailAddress[] => (a.group ? a.group.flatMap(flat) : [a]);
  return list.flatMap((o) => o.value.flatMap(flat))
    .filter((a) => a.address && a.address.includes('@'))
    .map((a) => ({ emailAddress: { address: a.address!, ...(a.name ? { name: a.name } : {}) } }));
}

function attachmentOf(a: Attachment, index: number): GraphFileAttachment {
  const cid = a.cid ?? a.contentId?.replace(/^<|>$/g, '');
  return {
    '@odata.type': '#microsoft.graph.fileAttachment',
    name: a.filename ?? (a.contentType === 'message/rfc822' ? `message-${index + 1}.eml` : `attachment-${index + 1}`),
    contentType: a.contentType || 'application/octet-stream',
    contentBytes: a.content.toString('base64'),
    ...(cid ? { contentId: cid } : {}),
    isInline: Boolean(cid && (a.related || a.contentDisposition === 'inline')),
  };
}

/**
 * Categories from IMAP keywords (system flags and housekeeping keywords are not categories). An IMAP
 * keyword cannot hold a space, so "_" stands for one both ways ("Red category" ↔ Red_category).
 */
export function categoriesOf(flags: string[]): string[] {
  return [...new Set(flags.filter((f) => !SYSTEM_FLAGS.has(f.toLowerCase()) && !HOUSEKEEPING.has(f.toLowerCase())).map((f) => f.replace(/_/g, ' ')))];
}

/** IMAP flag words for a Graph message's read state, flag and categories. */
export function flagsOf(meta: { isRead?: boolean; flag?: { flagStatus?: string } | null; categories?: string[] }): string[] {
  return [
    ...(meta.isRead ? ['\\Seen'] : []),
    ...(meta.flag?.flagStatus === 'flagged' ? ['\\Flagged'] : []),
    // An IMAP keyword is an atom: spaces and specials of a category become "_".
    ...(meta.categories ?? []).map((c) => c.trim().replace(/[\s(){%*"\\\]]/g, '_')).filter(Boolean),
  ];
}

/** The PATCH body that sets read state, flag and categories from IMAP flag words. */
export function graphFlags(flags: string[]): { isRead: boolean; flag: { flagStatus: 'flagged' | 'notFlagged' }; categories: string[] } {
  const lower = new Set(flags.map((f) => f.toLowerCase()));
  return { isRead: lower.has('\\seen'), flag: { flagStatus: lower.has('\\flagged') ? 'flagged' : 'notFlagged' }, categories: categoriesOf(flags) };
}

/** Importance from X-Priority (1–2 high, 4–5 low), Importance or Priority headers; nothing when normal. */
export function importanceOf(headers: Map<string, unknown>): { importance?: 'low' | 'high' } {
  const text = (name: string) => String(headers.get(name) ?? '').trim().toLowerCase();
  const x = Number.parseInt(text('x-priority'), 10);
  const word = text('importance') || text('priority');
  if (x === 1 || x === 2 || word === 'high' || word === 'urgent') return { importance: 'high' };
  if (x === 4 || x === 5 || word === 'low' || word === 'non-urgent') return { importance: 'low' };
  return {};
}

export interface MimeInput { content: Buffer; flags: string[]; date: Date; hash: string }

/** The JSON create body for a received (non-draft) message. */
export async function graphMessageFromMime(item: MimeInput): Promise<GraphMessageCreate> {
  // keepCidLinks: inline images stay cid: references to their inline attachments, not data: URLs in the body.
  const parsed = await simpleParser(item.content, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, keepCidLinks: true });
  const state = graphFlags(item.flags);
  const sent = parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : item.date;
  const xHeaders = parsed.headerLines
    .filter((h) => h.key.startsWith('x-'))
    .slice(0, MAX_X_HEADERS)
    .map((h) => ({ name: h.line.slice(0, h.line.indexOf(':')).trim(), value: h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim().slice(0, MAX_HEADER_VALUE) }))
    .filter((h) => h.value.length > 0);
  const sender = recipients(parsed.headers.get('sender') as AddressObject | undefined)[0];
  return {
    subject: parsed.subject ?? '',
    body: parsed.html ? { contentType: 'html', content: parsed.html } : { contentType: 'text', content: parsed.text ?? '' },
    ...(recipients(parsed.from)[0] ? { from: recipients(parsed.from)[0] } : {}),
    ...(sender ? { sender } : {}),
    toRecipients: recipients(parsed.to),
    ccRecipients: recipients(parsed.cc),
    bccRecipients: recipients(parsed.bcc),
    replyTo: recipients(parsed.replyTo),
    ...(parsed.messageId ? { internetMessageId: parsed.messageId } : {}),
    ...importanceOf(parsed.headers),
    ...state,
    ...(xHeaders.length > 0 ? { internetMessageHeaders: xHeaders } : {}),
    attachments: parsed.attachments.map(attachmentOf),
    singleValueExtendedProperties: [
      { id: 'Integer 0x0E07', value: String(state.isRead ? MSGFLAG_READ : 0) },
      { id: 'SystemTime 0x0E06', value: item.date.toISOString() },
      { id: 'SystemTime 0x0039', value: sent.toISOString() },
      { id: HASH_PROPERTY, value: item.hash },
    ],
  };
}

/** Bytes of the JSON body as it will be sent. */
export function jsonBytes(body: unknown): number {
  return Buffer.byteLength(JSON.stringify(body), 'utf8');
}
