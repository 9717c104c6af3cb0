/**
 * Reading, writing and finding single messages. Content travels as raw bytes, unchanged; flags keep
 * keywords ($Label1…) but never \Recent; the internal date is carried by APPEND.
 */
import type { ImapFlow, MailboxObject } from 'imapflow';
import { AppError } from '../../../errors.js';
import type { Item, ProbeTarget, WriteResult } from '../types.js';
import type { ImapAppender } from './imap-appender.js';
import type { FetchedMessage, ImapReader } from './imap-reader.js';
import { uidSet } from './imap-wire.js';
import { itemKey, lineEndsNormalised, messageIdOf, messageIdSearchTerm, parseItemKey, portableFlags, sha256 } from './imap-message.js';

/**
 * Reads reuse the folder a pooled connection already has open: one SELECT per folder, not per
 * message. A NOOP first: the session's view is as of its last command (Dovecot answers a UID FETCH
 * of a message added since with nothing), and a pooled or parked connection may have been idle.
 */
async function openForRead(client: ImapFlow, path: string): Promise<MailboxObject> {
  const current = client.mailbox;
  if (current && current.readOnly && current.path === path) {
    await client.noop();
    return client.mailbox || client.mailboxOpen(path, { readOnly: true });
  }
  return client.mailboxOpen(path, { readOnly: true });
}

export async function readItem(client: ImapFlow, path: string, key: string): Promise<Item> {
  const { uidValidity, uid } = parseItemKey(key);
  const box = await openForRead(client, path);
  if (box.uidValidity.toString() !== uidValidity) throw gone(key, path);
  const message = await client.fetchOne(String(uid), { uid: true, flags: true, internalDate: true, source: true }, { uid: true });
  if (!message || !message.source) throw gone(key, path);
  return {
    key,
    type: 'mail',
    content: message.source,
    flags: portableFlags(message.flags),
    date: new Date(message.internalDate ?? 0),
    messageId: messageIdOf(message.source),
    hash: sha256(message.source),
  };
}

/** The keys of `keys` in this UIDVALIDITY, by UID. */
function wantedUids(keys: string[], uidValidity: string): Map<number, string> {
  const wanted = new Map<number, string>();
  for (const key of keys) {
    const parsed = parseItemKey(key);
    if (parsed.uidValidity === uidValidity) wanted.set(parsed.uid, key);
  }
  return wanted;
}

function itemsOf(messages: Pick<FetchedMessage, 'uid' | 'flags' | 'internalDate' | 'source'>[], wanted: Map<number, string>): Item[] {
  const items: Item[] = [];
  for (const message of messages) {
    const key = wanted.get(message.uid);
    if (key === undefined || !message.source) continue;
    items.push({
      key, type: 'mail', content: message.source, flags: portableFlags(message.flags), date: new Date(message.internalDate ?? 0),
      messageId: messageIdOf(message.source), hash: sha256(message.source),
    });
  }
  return items;
}

/**
 * Reads a page of messages with ONE UID FETCH (collected in full before any other command: imapflow
 * cannot run a command inside a fetch). Keys of another UIDVALIDITY or not returned are gone: left out.
 */
export async function readItems(client: ImapFlow, path: string, keys: string[]): Promise<Item[]> {
  if (keys.length === 0) return [];
  const box = await openForRead(client, path);
  const wanted = wantedUids(keys, box.uidValidity.toString());
  if (wanted.size === 0) return [];
  const messages = await client.fetchAll(uidSet([...wanted.keys()]), { uid: true, flags: true, internalDate: true, source: true }, { uid: true });
  return itemsOf(messages.map((m) => ({ uid: m.uid, flags: [...(m.flags ?? [])], internalDate: m.internalDate ? new Date(m.internalDate) : null, source: m.source ?? Buffer.alloc(0) })), wanted);
}

/**
 * The same page through mailferry's own reader (imap-reader.ts): one write, no imapflow parsing.
 * All keys are fetched under the UIDVALIDITY they name; those of another are gone. Null when the
 * reader cannot name this folder (imapflow then).
 */
export async function readItemsPipelined(reader: ImapReader, path: string, keys: string[]): Promise<Item[] | null> {
  if (keys.length === 0) return [];
  const uids = [...new Set(keys.map((key) => parseItemKey(key).uid))];
  const fetched = reader.fetch(path, uidSet(uids));
  if (fetched === null) return null;
  const { uidValidity, messages } = await fetched;
  return itemsOf(messages, wantedUids(keys, uidValidity));
}

function gone(key: string, path: string): AppError {
  return new AppError('NOT_FOUND', `Message ${key} is no longer in folder "${path}" (deleted or moved since the scan). It is skipped.`);
}

function checkLimit(limit: number | undefined, item: Item): void {
  if (limit !== undefined && item.content.length > limit) {
    throw new AppError('UNSUPPORTED', `The message is ${item.content.length} bytes; the destination accepts at most ${limit}. It is recorded as skipped.`);
  }
}

export async function writeItem(client: ImapFlow, path: string, item: Item): Promise<WriteResult> {
  checkLimit(appendLimit(client), item);
  const result = await client.append(path, item.content, portableFlags(item.flags), item.date);
  if (result && result.uid !== undefined && result.uidValidity !== undefined) return { key: itemKey(result.uidValidity, result.uid) };
  // No UIDPLUS: find what we just wrote.
  return findWritten(client, path, item);
}

/** The key of a message the server took without saying its UID (no APPENDUID). */
export async function findWritten(client: ImapFlow, path: string, item: Item): Promise<WriteResult> {
  const found = await probeItem(client, path, item);
  if (found) return { key: found };
  throw new AppError('INTERNAL', `The destination accepted the message into "${path}" but it could not be found again. Check the destination folder.`);
}

/**
 * Writes through the pipelined appender. 'not-sent' when it cannot carry this item (a flag that is
 * not an atom): imapflow writes it instead. 'written-no-uid' when the server stored it without
 * APPENDUID: it must be found (findWritten), never written again.
 */
export async function appendPipelined(appender: ImapAppender, path: string, item: Item): Promise<WriteResult | 'not-sent' | 'written-no-uid'> {
  checkLimit(appender.appendLimit, item);
  const sent = appender.append(path, item.content, portableFlags(item.flags), item.date);
  if (!sent) return 'not-sent';
  const uid = await sent;
  return uid ? { key: itemKey(uid.uidValidity, uid.uid) } : 'written-no-uid';
}

/** STORE FLAGS (replace) on one UID; a message gone since (other UIDVALIDITY) is NOT_FOUND. */
export async function updateFlags(client: ImapFlow, path: string, key: string, flags: string[]): Promise<void> {
  const { uidValidity, uid } = parseItemKey(key);
  const box = await client.mailboxOpen(path);
  if (box.uidValidity.toString() !== uidValidity) throw gone(key, path);
  await client.messageFlagsSet(String(uid), portableFlags(flags), { uid: true });
}

export function appendLimit(client: ImapFlow): number | undefined {
  const limit = client.capabilities.get('APPENDLIMIT');
  return typeof limit === 'number' && limit > 0 ? limit : undefined;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Finds a message already written: by Message-ID when it has one (and by internal date when that
 * finds nothing); either way only a candidate whose bytes hash the same counts (header search is a
 * substring match) or, when the item's content is given, whose bytes equal it once line ends are
 * normalised (the server rewrote them on APPEND, so the stored copy never hashes the same).
 */
export async function probeItem(client: ImapFlow, path: string, item: Omit<ProbeTarget, 'type'>): Promise<string | null> {
  // A fresh SELECT: another connection may have written here since this one last looked.
  const box = await client.mailboxOpen(path, { readOnly: true });
  if (box.exists === 0) return null;
  let candidates: number[] = [];
  if (item.messageId) {
    candidates = (await client.search({ header: { 'message-id': messageIdSearchTerm(item.messageId) } }, { uid: true })) || [];
  }
  if (candidates.length === 0) {
    // SEARCH dates have day granularity in the server's zone: widen by a day, then compare exactly.
    const around = (await client.search({ since: new Date(item.date.getTime() - DAY_MS), before: new Date(item.date.getTime() + 2 * DAY_MS) }, { uid: true })) || [];
    candidates = around.length ? await sameInternalDate(client, around, item.date) : [];
  }
  let normalised: string | undefined;
  for (const uid of candidates.sort((a, b) => b - a)) {
    const message = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
    if (!message || !message.source) continue;
    if (sha256(message.source) === item.hash) return itemKey(box.uidValidity, uid);
    if (item.content) {
      normalised ??= sha256(lineEndsNormalised(item.content));
      if (sha256(lineEndsNormalised(message.source)) === normalised) return itemKey(box.uidValidity, uid);
    }
  }
  return null;
}

async function sameInternalDate(client: ImapFlow, uids: number[], date: Date): Promise<number[]> {
  const seconds = Math.floor(date.getTime() / 1000);
  const messages = await client.fetchAll(uids.join(','), { uid: true, internalDate: true }, { uid: true });
  return messages.filter((m) => Math.floor(new Date(m.internalDate ?? 0).getTime() / 1000) === seconds).map((m) => m.uid);
}
