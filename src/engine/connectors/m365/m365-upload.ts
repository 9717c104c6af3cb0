/**
 * Attachments of 3 MB and more go through an upload session (learn.microsoft.com/graph/
 * outlook-large-attachments): POST …/attachments/createUploadSession, then PUT the bytes in order to
 * the pre-authenticated upload URL in chunks of 12 × 320 KiB (under Graph's 4 MB per request). The
 * upload URL lives on another host and must not get Graph's token, so the PUTs bypass GraphClient's
 * Authorization header but still take a slot of the mailbox's pacer, each chunk counted against its
 * upload window; 429/503 wait for Retry-After (and pause the mailbox's other requests like any 429).
 */
import { request as httpsRequest } from 'node:https';
import { AppError } from '../../../errors.js';
import type { MailboxRef } from '../types.js';
import { bucketOf, userPath, type M365Context } from './m365-context.js';
import { GraphHttpError, graphError, retryAfterMs, type GraphSite } from './m365-errors.js';
import type { GraphFileAttachment } from './m365-mail-convert.js';

/** Graph's "3 MB": from here on an attachment goes through an upload session. */
export const SESSION_FROM_BYTES = 3_000_000;
/** Graph takes attachments up to 150 MB. */
export const MAX_ATTACHMENT_BYTES = 150 * 1024 * 1024;
/** A multiple of 320 KiB below the 4 MB per-request limit. */
export const UPLOAD_CHUNK_BYTES = 12 * 320 * 1024;
const ATTEMPTS = 8;
const TIMEOUT_MS = 120_000;
/** A Retry-After this long also holds the mailbox's other requests (as GraphClient does). */
const BLOCK_FROM_MS = 2_000;

interface UploadAnswer { status: number; headers: Record<string, string>; body: Buffer }

export const attachmentSize = (a: GraphFileAttachment): number => Buffer.byteLength(a.contentBytes, 'base64');

/** Uploads one attachment to an existing message through an upload session. */
export async function uploadAttachment(ctx: M365Context, mailbox: MailboxRef, messageId: string, attachment: GraphFileAttachment, site: GraphSite, signal?: AbortSignal): Promise<void> {
  const bytes = Buffer.from(attachment.contentBytes, 'base64');
  const session = await ctx.client.json<{ uploadUrl?: string; nextExpectedRanges?: string[] }>({
    method: 'POST',
    url: `${userPath(mailbox)}/messages/${encodeURIComponent(messageId)}/attachments/createUploadSession`,
    body: {
      AttachmentItem: {
        attachmentType: 'file', name: attachment.name, size: bytes.length, contentType: attachment.contentType,
        isInline: attachment.isInline, ...(attachment.contentId ? { contentId: attachment.contentId } : {}),
      },
    },
    mailbox: bucketOf(mailbox), patient: true, site, signal,
  });
  if (!session.uploadUrl) throw new AppError('INTERNAL', `Microsoft 365 opened no upload session while ${site.doing}. Try again.`, { retryable: true });
  let offset = nextStart(session.nextExpectedRanges) ?? 0;
  while (offset < bytes.length) {
    const end = Math.min(bytes.length, offset + UPLOAD_CHUNK_BYTES);
    const answer = await putChunk(ctx, mailbox, session.uploadUrl, bytes, offset, end, site, signal);
    if (answer.status === 201) return;
    const next = nextStart(parsed(answer.body).nextExpectedRanges);
    // Graph says where it wants to continue; anything but forward progress would loop.
    if (next === undefined || next <= offset) offset = end;
    else offset = next;
  }
  throw new AppError('INTERNAL', `Microsoft 365 did not confirm the attachment "${attachment.name}" after its last byte while ${site.doing}. Try again.`, { retryable: true });
}

/** The start of the first expected range ("2097152" or "2097152-3483321"). */
function nextStart(ranges: string[] | undefined): number | undefined {
  const m = /^(\d+)/.exec(ranges?.[0] ?? '');
  return m ? Number(m[1]) : undefined;
}

function parsed(body: Buffer): { nextExpectedRanges?: string[]; error?: { code?: string; message?: string } } {
  try {
    return JSON.parse(body.toString('utf8')) as { nextExpectedRanges?: string[] };
  } catch {
    return {};
  }
}

/** One range, paced as an upload of its size, retried through 429/503. */
async function putChunk(ctx: M365Context, mailbox: MailboxRef, url: string, bytes: Buffer, start: number, end: number, site: GraphSite, signal?: AbortSignal): Promise<UploadAnswer> {
  const chunk = bytes.subarray(start, end);
  const bucket = bucketOf(mailbox);
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    const release = await ctx.client.pacer.acquire(bucket, { uploadBytes: chunk.length, patient: true, signal });
    let answer: UploadAnswer;
    try {
      answer = await send(ctx, url, chunk, `bytes ${start}-${end - 1}/${bytes.length}`, signal);
    } catch (error) {
      throw graphError(error, site);
    } finally {
      release();
    }
    if (answer.status === 200 || answer.status === 201) return answer;
    const body = parsed(answer.body);
    const after = retryAfterMs(answer.headers['retry-after']);
    const failure = new GraphHttpError(answer.status, body.error?.code ?? 'Unknown', body.error?.message ?? '', after);
    if (answer.status === 401 || answer.status === 403 || answer.status === 404) {
      // The URL's own token, not the connection's credentials: the session expired or was closed.
      throw new AppError('INTERNAL', `Microsoft 365 closed the attachment upload session (${answer.status} ${failure.code}) while ${site.doing}; the message is copied again on the next attempt.`, { cause: new Error(failure.message), retryable: true });
    }
    if (answer.status !== 429 && answer.status !== 503) throw graphError(failure, site);
    const ms = after ?? Math.min(30_000, 1000 * 2 ** (attempt - 1));
    if (ms >= BLOCK_FROM_MS) ctx.client.pacer.block(bucket, ms, graphError(failure, site).userMessage.replace(/; mailferry waits and continues\.$/, ''));
    if (attempt >= ATTEMPTS) throw graphError(new GraphHttpError(answer.status, failure.code, failure.graphMessage, ms), site);
    await wait(ms, signal);
  }
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** PUT without Authorization: the upload URL carries its own token. */
function send(ctx: M365Context, url: string, chunk: Buffer, range: string, signal?: AbortSignal): Promise<UploadAnswer> {
  const headers = { 'content-type': 'application/octet-stream', 'content-length': String(chunk.length), 'content-range': range, accept: 'application/json' };
  return new Promise((resolve, reject) => {
    const outgoing = httpsRequest(url, { method: 'PUT', headers, agent: ctx.client.agent, timeout: TIMEOUT_MS, ...(signal ? { signal } : {}) }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (c: Buffer) => chunks.push(c));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(incoming.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: incoming.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) });
      });
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('ETIMEDOUT: the upload URL did not answer in time')));
    outgoing.on('error', reject);
    outgoing.end(chunk);
  });
}
