/**
 * Events and contacts. Graph v1.0 has no unbounded event delta (only calendarView/delta over a date
 * range), so both are listed page by page; the cursor is the nextLink while a pass runs and "done"
 * after it, and the next pass lists again from the start (the engine's ledger skips what it has).
 * They cross platforms as ICS and vCard 3.0; writes are stamped with the source hash for the probe.
 */
import { createHash } from 'node:crypto';
import type { ChangePage, Cursor, FolderInfo, Item, MailboxRef, WriteResult } from '../types.js';
import { HASH_PROPERTY, bucketOf, odataString, remember, userPath, type M365Context } from './m365-context.js';
import { GraphHttpError, type GraphPermission } from './m365-errors.js';
import { CALENDAR_PREFIX, CONTACTS_PREFIX, DEFAULT_CONTACTS } from './m365-folders.js';
import { eventToIcs, icsToEvent, type GraphEvent } from './m365-ics.js';
import { contactToVcard, vcardToContact, type GraphContact } from './m365-vcard.js';

export const PIM_PAGE = 50;
const DONE = 'done';
/** Event times in UTC, so an event's ICS does not depend on the mailbox's time zone setting. */
const UTC = 'outlook.timezone="UTC"';

/** The collection URL of a calendar or contact folder. */
function collection(mailbox: MailboxRef, folder: FolderInfo): string {
  if (folder.itemType === 'event') return `${userPath(mailbox)}/calendars/${encodeURIComponent(folder.key.slice(CALENDAR_PREFIX.length))}/events`;
  if (folder.key === DEFAULT_CONTACTS) return `${userPath(mailbox)}/contacts`;
  return `${userPath(mailbox)}/contactFolders/${encodeURIComponent(folder.key.slice(CONTACTS_PREFIX.length))}/contacts`;
}

function site(mailbox: MailboxRef, folder: FolderInfo, doing: string) {
  const permission: GraphPermission = folder.itemType === 'event' ? 'Calendars.ReadWrite' : 'Contacts.ReadWrite';
  return { doing: `${doing} "${folder.path.join('/')}" of ${mailbox.address}`, permission };
}

export async function listPimChanges(ctx: M365Context, mailbox: MailboxRef, folder: FolderInfo, cursor: Cursor | undefined, signal?: AbortSignal): Promise<ChangePage> {
  const url = cursor && cursor !== DONE && /^https?:\/\//.test(cursor) ? cursor : `${collection(mailbox, folder)}?$top=${PIM_PAGE}`;
  const page = await ctx.client.json<{ value?: (GraphEvent & GraphContact & { id: string })[]; '@odata.nextLink'?: string }>({
    url, mailbox: bucketOf(mailbox), headers: folder.itemType === 'event' ? { prefer: UTC } : undefined, site: site(mailbox, folder, 'listing'), signal,
  });
  const changes = (page.value ?? []).map((entry) => {
    remember(ctx, entry.id, entry);
    return { key: entry.id, kind: 'upsert' as const };
  });
  const next = page['@odata.nextLink'];
  return { changes, cursor: next ?? DONE, more: Boolean(next) };
}

function startOf(event: GraphEvent): Date {
  const dt = event.start?.dateTime;
  if (!dt) return new Date(0);
  const utc = !event.start?.timeZone || /^(utc|gmt|etc\/utc)$/i.test(event.start.timeZone);
  const parsed = new Date(utc && !/Z$/.test(dt) ? `${dt.replace(/\.\d+$/, '')}Z` : dt);
  return Number.isNaN(parsed.getTime()) ? new Date(0) : parsed;
}

export async function readPim(ctx: M365Context, mailbox: MailboxRef, folder: FolderInfo, key: string, signal?: AbortSignal): Promise<Item> {
  let entry = ctx.listed.get(key) as (GraphEvent & GraphContact) | undefined;
  if (!entry) {
    const url = folder.itemType === 'event' ? `${userPath(mailbox)}/events/${encodeURIComponent(key)}` : `${userPath(mailbox)}/contacts/${encodeURIComponent(key)}`;
    entry = await ctx.client.json<GraphEvent & GraphContact>({ url, mailbox: bucketOf(mailbox), headers: folder.itemType === 'event' ? { prefer: UTC } : undefined, site: site(mailbox, folder, 'reading an item in'), signal });
  }
  ctx.listed.delete(key);
  if (!entry) throw new Error('unreachable: an item read without a body');
  const text = folder.itemType === 'event' ? eventToIcs(entry) : contactToVcard(entry);
  const content = Buffer.from(text, 'utf8');
  return {
    key, type: folder.itemType, content, flags: [],
    date: folder.itemType === 'event' ? startOf(entry) : new Date(0),
    hash: createHash('sha256').update(content).digest('hex'),
  };
}

/** Creates the event (never with attendees: no invitation is sent) or the contact. */
export async function writePim(ctx: M365Context, mailbox: MailboxRef, folder: FolderInfo, item: Item, signal?: AbortSignal): Promise<WriteResult> {
  const text = item.content.toString('utf8');
  const body = folder.itemType === 'event' ? icsToEvent(text, item.hash) : vcardToContact(text, item.hash);
  const created = await ctx.client.json<{ id: string }>({
    method: 'POST', url: collection(mailbox, folder), body, upload: true, mailbox: bucketOf(mailbox), site: site(mailbox, folder, 'writing an item to'), signal,
  });
  return { key: created.id };
}

function hashOf(entry: { singleValueExtendedProperties?: { id: string; value: string }[] }): string | undefined {
  return entry.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === HASH_PROPERTY.toLowerCase())?.value;
}

/**
 * Finds an item written before by its source hash. Each answer is checked here (a server that
 * ignores the filter must not make an unrelated item look written); a collection that refuses the
 * filter is searched page by page.
 */
export async function probePim(ctx: M365Context, mailbox: MailboxRef, folder: FolderInfo, item: Pick<Item, 'hash'>, signal?: AbortSignal): Promise<string | null> {
  const where = site(mailbox, folder, 'looking for an item in');
  const expand = `$expand=${encodeURIComponent(`singleValueExtendedProperties($filter=id eq ${odataString(HASH_PROPERTY)})`)}`;
  const filter = `$filter=${encodeURIComponent(`singleValueExtendedProperties/Any(ep: ep/id eq ${odataString(HASH_PROPERTY)} and ep/value eq ${odataString(item.hash)})`)}`;
  let next: string | undefined = `${collection(mailbox, folder)}?${filter}&${expand}&$top=${PIM_PAGE}`;
  let filtered = true;
  while (next) {
    let page: { value?: { id: string; singleValueExtendedProperties?: { id: string; value: string }[] }[]; '@odata.nextLink'?: string };
    try {
      page = await ctx.client.json({ url: next, mailbox: bucketOf(mailbox), expect: filtered ? [400, 501] : [], patient: true, site: where, signal });
    } catch (error) {
      if (!(error instanceof GraphHttpError) || !filtered) throw error;
      filtered = false;
      next = `${collection(mailbox, folder)}?${expand}&$top=${PIM_PAGE}`;
      continue;
    }
    const match = (page.value ?? []).find((entry) => hashOf(entry) === item.hash);
    if (match) return match.id;
    next = page['@odata.nextLink'];
  }
  return null;
}
