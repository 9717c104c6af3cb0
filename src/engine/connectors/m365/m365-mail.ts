/**
 * Messages of one mail folder: per-folder delta (the cursor is the newest nextLink/deltaLink; a
 * 410 SyncStateNotFound restarts the listing with reset:true so the engine dedupes), reads as MIME,
 * writes as non-draft JSON (m365-mail-convert.ts; attachments from 3 MB through upload sessions,
 * m365-upload.ts) stamped with the source hash for the probe (m365-mail-probe.ts), and flag updates.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../../errors.js';
import type { ChangePage, ChangeRef, Cursor, FolderInfo, Item, MailboxRef, WriteResult } from '../types.js';
import { HASH_PROPERTY, bucketOf, remember, userPath, type M365Context } from './m365-context.js';
import { GraphHttpError, graphError } from './m365-errors.js';
import { flagsOf, graphFlags, graphMessageFromMime, jsonBytes, type GraphMessageCreate } from './m365-mail-convert.js';
import { incompleteStamp } from './m365-mail-probe.js';
import { WAIT_IN_PLACE_MS } from './m365-pacer.js';
import { MAX_ATTACHMENT_BYTES, SESSION_FROM_BYTES, attachmentSize, uploadAttachment } from './m365-upload.js';

export const DELTA_PAGE = 200;
/** How long a folder listing's "empty" is trusted to skip the folder's first delta round. */
const EMPTY_TRUSTED_MS = 60_000;
const SELECT = 'id,internetMessageId,isRead,flag,categories,receivedDateTime';
/** Graph refuses request bodies over 4 MB (the message create, or one attachment under 3 MB). */
const MAX_BODY = 3_900_000;

interface DeltaMessage {
  id: string;
  internetMessageId?: string | null;
  isRead?: boolean;
  flag?: { flagStatus?: string };
  categories?: string[];
  receivedDateTime?: string;
  '@removed'?: { reason?: string };
}

interface MailCursor { link: string; incremental: boolean }

export function parseMailCursor(cursor: Cursor | undefined): MailCursor | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(cursor) as Partial<MailCursor>;
    if (typeof parsed.link === 'string') return { link: parsed.link, incremental: parsed.incremental === true };
  } catch {
    // unreadable: listed from the start with reset, never trusted
  }
  return { link: '', incremental: false };
}

const site = (mailbox: MailboxRef, folder: FolderInfo, doing: string) => ({ doing: `${doing} "${folder.path.join('/')}" of ${mailbox.address}`, permission: 'Mail.ReadWrite' as const });

export async function listMailChanges(ctx: M365Context, mailbox: MailboxRef, folder: FolderInfo, cursor: Cursor | undefined, signal?: AbortSignal): Promise<ChangePage> {
  const stored = parseMailCursor(cursor);
  const start = `${userPath(mailbox)}/mailFolders/${encodeURIComponent(folder.key)}/messages/delta?$select=${SELECT}`;
  // A folder that was empty when listed a moment ago needs no delta round: its cursor stays the start,
  // so the next pass lists it from the beginning (anything that arrived since is new to the ledger).
  const listed = ctx.folderCounts.get(folder.key);
  if (listed?.count === 0 && Date.now() - listed.at < EMPTY_TRUSTED_MS && (!stored || (stored.link === start && !stored.incremental))) {
    return { changes: [], cursor: JSON.stringify({ link: start, incremental: false } satisfies MailCursor), more: false };
  }
  let reset = stored !== undefined && stored.link === '';
  let link = stored && !reset ? stored.link : start;
  let incremental = stored?.incremental === true && !reset;
  let page: { value?: DeltaMessage[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
  try {
    page = await fetchPage(ctx, mailbox, folder, link, signal);
  } catch (error) {
    if (!(error instanceof GraphHttpError) || error.status !== 410) throw error;
    // The sync state expired or a newer link of the chain was used: start over, the engine dedupes.
    reset = true;
    incremental = false;
    link = start;
    page = await fetchPage(ctx, mailbox, folder, link, signal);
  }
  const changes: ChangeRef[] = [];
  for (const m of page.value ?? []) {
    if (m['@removed']) {
      changes.push({ key: m.id, kind: 'delete' });
      continue;
    }
    remember(ctx, m.id, m);
    const flags = flagsOf(m);
    changes.push({ key: m.id, kind: 'upsert', flags, ...(m.internetMessageId ? { messageId: m.internetMessageId } : {}) });
    // After the first full pass a listed message may be new or changed: Graph does not say which.
    // The engine copies the upsert when its ledger lacks the key and applies the flags when it has it.
    if (incremental) changes.push({ key: m.id, kind: 'flags', flags });
  }
  const next = page['@odata.nextLink'];
  const delta = page['@odata.deltaLink'];
  const newCursor: MailCursor = { link: next ?? delta ?? link, incremental: incremental || (!next && Boolean(delta)) };
  return { changes, cursor: JSON.stringify(newCursor), more: Boolean(next), ...(reset ? { reset: true } : {}) };
}

function fetchPage(ctx: M365Context, mailbox: MailboxRef, folder: FolderInfo, url: string, signal?: AbortSignal) {
  return ctx.client.json<{ value?: DeltaMessage[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string }>({
    url, mailbox: bucketOf(mailbox), expect: [410], headers: { prefer: `odata.maxpagesize=${DELTA_PAGE}` }, site: site(mailbox, folder, 'listing changes in'), signal,
  });
}

export async function readMail(ctx: M365Context, mailbox: MailboxRef, folder: FolderInfo, key: string, signal?: AbortSignal): Promise<Item> {
  const path = `${userPath(mailbox)}/messages/${encodeURIComponent(key)}`;
  const where = site(mailbox, folder, 'reading a message in');
  let meta = ctx.listed.get(key) as DeltaMessage | undefined;
  if (!meta?.receivedDateTime) meta = await ctx.client.json<DeltaMessage>({ url: `${path}?$select=${SELECT}`, mailbox: bucketOf(mailbox), site: where, signal });
  const content = await ctx.client.bytes({ url: `${path}/$value`, mailbox: bucketOf(mailbox), site: where, signal });
  ctx.listed.delete(key);
  return {
    key, type: 'mail', content, flags: flagsOf(meta),
    date: meta.receivedDateTime ? new Date(meta.receivedDateTime) : new Date(0),
    ...(meta.internetMessageId ? { messageId: meta.internetMessageId } : {}),
    hash: createHash('sha256').update(content).digest('hex'),
  };
}

/**
 * Creates the message (non-draft) with the attachments that fit its 4 MB request, then adds the rest:
 * one POST each under 3 MB, an upload session each from 3 MB (m365-upload.ts). Such a message is
 * created stamped incomplete and gets the source hash (a PATCH of that one property: the draft state
 * and times set at creation stay) only after its last attachment landed, so a process killed
 * mid-upload leaves nothing the probe takes for the copy. Should adding one fail, the half-built
 * message is deleted so that a retry starts afresh.
 */
export async function writeMail(ctx: M365Context, mailbox: MailboxRef, folder: FolderInfo, item: Item, signal?: AbortSignal): Promise<WriteResult> {
  const message = await graphMessageFromMime(item);
  const where = site(mailbox, folder, 'writing a message to');
  const huge = message.attachments.find((a) => attachmentSize(a) > MAX_ATTACHMENT_BYTES);
  if (huge) {
    throw new AppError('UNSUPPORTED', `The attachment "${huge.name}" (${megabytes(attachmentSize(huge))} MB) is larger than the 150 MB Microsoft 365 takes; the message is recorded as skipped.`);
  }
  const sessions = message.attachments.filter((a) => attachmentSize(a) >= SESSION_FROM_BYTES);
  message.attachments = message.attachments.filter((a) => !sessions.includes(a));
  const later: GraphMessageCreate['attachments'] = [];
  while (jsonBytes(message) > MAX_BODY && message.attachments.length > 0) {
    const largest = message.attachments.reduce((a, b) => (a.contentBytes.length >= b.contentBytes.length ? a : b));
    message.attachments.splice(message.attachments.indexOf(largest), 1);
    later.push(largest);
  }
  const sessionBytes = sessions.reduce((sum, a) => sum + attachmentSize(a), 0);
  const budget = sessionBytes > 0 ? ctx.client.pacer.budgetWait(bucketOf(mailbox), sessionBytes) : 0;
  // Better to wait before creating anything than to drop a half-uploaded message when the window is full.
  if (budget > WAIT_IN_PLACE_MS) {
    throw new AppError('THROTTLED', `mailferry is pacing its uploads below Microsoft's upload limit for ${mailbox.address}; mailferry waits and continues.`, { retryAfterMs: budget });
  }
  const follows = later.length + sessions.length > 0;
  if (follows) stamp(message, incompleteStamp(item.hash));
  const body = message as unknown as Record<string, unknown>;
  const created = await ctx.client.json<{ id: string }>({
    method: 'POST', url: `${userPath(mailbox)}/mailFolders/${encodeURIComponent(folder.key)}/messages`, body, upload: true, mailbox: bucketOf(mailbox), site: where, signal,
  });
  if (!follows) return { key: created.id };
  const messagePath = `${userPath(mailbox)}/messages/${encodeURIComponent(created.id)}`;
  let step = '';
  try {
    for (const attachment of later) {
      step = `Adding the attachment "${attachment.name}"`;
      await ctx.client.json({ method: 'POST', url: `${messagePath}/attachments`, body: attachment, upload: true, mailbox: bucketOf(mailbox), patient: true, site: where, signal });
    }
    for (const attachment of sessions) {
      step = `Adding the attachment "${attachment.name}"`;
      await uploadAttachment(ctx, mailbox, created.id, attachment, where, signal);
    }
    step = 'Marking the message complete';
    await ctx.client.json({
      method: 'PATCH', url: messagePath, body: { singleValueExtendedProperties: [{ id: HASH_PROPERTY, value: item.hash }] }, mailbox: bucketOf(mailbox), patient: true, site: where, signal,
    });
  } catch (error) {
    const removed = await ctx.client.json({ method: 'DELETE', url: messagePath, mailbox: bucketOf(mailbox), patient: true, expect: [404], site: where })
      .then(() => true, (e: unknown) => e instanceof GraphHttpError && e.status === 404);
    throw partialWrite(error, step, mailbox, removed);
  }
  return { key: created.id };
}

const megabytes = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);

/** Sets the value of the source-hash property in a create body. */
function stamp(message: GraphMessageCreate, value: string): void {
  message.singleValueExtendedProperties = [...message.singleValueExtendedProperties.filter((p) => p.id !== HASH_PROPERTY), { id: HASH_PROPERTY, value }];
}

/** Keeps the failure's code (THROTTLED still pauses, a retryable one is retried) and says what happened to the message. */
function partialWrite(error: unknown, step: string, mailbox: MailboxRef, removed: boolean): AppError {
  const cause = error instanceof AppError ? error : graphError(error, { doing: `writing a message to ${mailbox.address}` });
  const after = removed ? 'the partly written message was removed, so the next attempt starts afresh'
    : 'the partly written message could not be removed: delete it in Outlook before copying again';
  const text = `${step} failed (${cause.userMessage.replace(/\.$/, '')}); ${after}.`;
  // A partial message left behind (stamped incomplete, never taken for the copy) would sit beside the retry's: that item must fail, not be retried.
  if (!removed) return new AppError('INTERNAL', text, { cause, retryable: false });
  return new AppError(cause.code, text, {
    cause, retryable: cause.retryable, ...(cause.retryAfterMs !== undefined ? { retryAfterMs: cause.retryAfterMs } : {}), ...(cause.details ? { details: cause.details } : {}),
  });
}

export async function updateMailFlags(ctx: M365Context, mailbox: MailboxRef, folder: FolderInfo, key: string, flags: string[], signal?: AbortSignal): Promise<void> {
  await ctx.client.json({
    method: 'PATCH', url: `${userPath(mailbox)}/messages/${encodeURIComponent(key)}`, body: graphFlags(flags), mailbox: bucketOf(mailbox),
    site: site(mailbox, folder, 'updating flags in'), signal,
  });
}
