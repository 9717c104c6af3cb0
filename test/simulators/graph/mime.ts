/**
 * The two directions between RFC 5322 and Graph's JSON message: reading the few headers Graph derives
 * from stored MIME (seeded items), and writing a simple, valid message for `$value` of JSON-created
 * items (headers, body, attachments as multipart/mixed), as Exchange does on export.
 */
import { randomUUID } from 'node:crypto';
import type { Json, SimMessage } from './types.js';

export interface ParsedHeaders {
  subject: string;
  from: Json | null;
  to: Json[];
  cc: Json[];
  messageId: string | null;
  date: string | null;
  body: string;
}

/** Reads the header block of raw MIME (latin1, so every byte survives) and the text after it. */
export function parseMime(mime: Buffer): ParsedHeaders {
  const text = mime.toString('latin1');
  const split = /\r?\n\r?\n/.exec(text);
  const head = split ? text.slice(0, split.index) : text;
  const body = split ? text.slice(split.index + split[0].length) : '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  const date = headers.get('date');
  const parsedDate = date ? new Date(date.replace(/\s*\(.*\)\s*$/, '')) : null;
  return {
    subject: decodeWords(headers.get('subject') ?? ''),
    from: parseAddresses(headers.get('from') ?? '')[0] ?? null,
    to: parseAddresses(headers.get('to') ?? ''),
    cc: parseAddresses(headers.get('cc') ?? ''),
    messageId: messageIdOf(headers.get('message-id')),
    date: parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate.toISOString() : null,
    body,
  };
}

/** The first `<…>` of the header (quoted local parts may hold spaces), else the trimmed value. */
function messageIdOf(value: string | undefined): string | null {
  if (!value?.trim()) return null;
  return /<[^>]*>/.exec(value)?.[0] ?? value.trim();
}

/** RFC 2047 encoded words (B and Q) in UTF-8 or Latin-1. */
function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([bqBQ])\?([^?]*)\?=/g, (_all, charset: string, enc: string, data: string) => {
    const bytes = enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64')
      : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return /utf-?8/i.test(charset) ? bytes.toString('utf8') : bytes.toString('latin1');
  });
}

/** `Name <a@b>, c@d` → Graph recipients; commas inside quotes or angle brackets do not split. */
function parseAddresses(value: string): Json[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (ch === '<') angle = true;
    if (ch === '>') angle = false;
    if (ch === ',' && !quoted && !angle) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const m = /^(.*?)\s*<([^>]*)>\s*$/.exec(p);
      const address = (m ? m[2]! : p).trim();
      const name = decodeWords((m ? m[1]! : '').replace(/^"|"$/g, '').trim()) || address;
      return { emailAddress: { name, address } };
    });
}

/** Generates `$value` for a JSON-created message. */
export function generateMime(m: SimMessage): Buffer {
  const lines: string[] = [];
  const from = m.from ?? null;
  if (from) lines.push(`From: ${formatAddress(from)}`);
  if (m.toRecipients.length) lines.push(`To: ${m.toRecipients.map(formatAddress).join(', ')}`);
  if (m.ccRecipients.length) lines.push(`Cc: ${m.ccRecipients.map(formatAddress).join(', ')}`);
  if (m.replyTo.length) lines.push(`Reply-To: ${m.replyTo.map(formatAddress).join(', ')}`);
  lines.push(`Subject: ${encodeWord(m.subject)}`);
  lines.push(`Date: ${rfc5322Date(m.sentDateTime || m.receivedDateTime)}`);
  lines.push(`Message-ID: ${m.internetMessageId ?? `<${randomUUID()}@graph.simulator>`}`);
  for (const h of m.internetMessageHeaders) lines.push(`${h.name}: ${h.value}`);
  lines.push('MIME-Version: 1.0');
  const bodyType = m.body.contentType.toLowerCase() === 'html' ? 'text/html' : 'text/plain';
  const bodyPart = [`Content-Type: ${bodyType}; charset="utf-8"`, 'Content-Transfer-Encoding: base64', '', base64Lines(Buffer.from(m.body.content, 'utf8'))];
  if (m.attachments.length === 0) {
    lines.push(...bodyPart);
  } else {
    const boundary = `_sim_${randomUUID().replace(/-/g, '')}_`;
    lines.push(`Content-Type: multipart/mixed; boundary="${boundary}"`, '', `--${boundary}`, ...bodyPart);
    for (const a of m.attachments) {
      lines.push(`--${boundary}`);
      lines.push(`Content-Type: ${a.contentType || 'application/octet-stream'}; name="${a.name}"`);
      lines.push(`Content-Disposition: ${a.isInline ? 'inline' : 'attachment'}; filename="${a.name}"`);
      if (a.contentId) lines.push(`Content-ID: <${a.contentId}>`);
      lines.push('Content-Transfer-Encoding: base64', '', base64Lines(Buffer.from(a.contentBytes, 'base64')));
    }
    lines.push(`--${boundary}--`);
  }
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}

function formatAddress(r: Json): string {
  const e = (r['emailAddress'] ?? {}) as { name?: string; address?: string };
  const address = e.address ?? '';
  return e.name && e.name !== address ? `${encodeWord(e.name, true)} <${address}>` : `<${address}>`;
}

/** Non-ASCII text becomes one UTF-8 B encoded word; plain display names get quoted. */
function encodeWord(text: string, phrase = false): string {
  if (/^[\x20-\x7e]*$/.test(text)) return phrase ? `"${text.replace(/["\\]/g, '\\$&')}"` : text;
  return `=?utf-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function rfc5322Date(iso: string): string {
  const d = new Date(iso);
  return (Number.isNaN(d.getTime()) ? new Date() : d).toUTCString().replace('GMT', '+0000');
}

function base64Lines(b: Buffer): string {
  return (b.toString('base64').match(/.{1,76}/g) ?? ['']).join('\r\n');
}
