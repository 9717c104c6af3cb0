/**
 * Create-if-missing for the three kinds of folder. A mail folder with a role lands in the
 * well-known folder (IMAP "INBOX" or "Sent" → Inbox, Sent Items); other paths are walked from the
 * root, matching display names case-insensitively (IMAP "INBOX/Sub" → Inbox/Sub). Calendars and
 * contact folders match by name; "Calendar" and "Contacts" fall back to the default ones.
 */
import type { FolderInfo, FolderRole, ItemType, MailboxRef } from '../types.js';
import { userPath, type M365Context } from './m365-context.js';
import { CALENDAR_PREFIX, CONTACTS_PREFIX, DEFAULT_CONTACTS, WELL_KNOWN, createFolder, listAll, rolesOf } from './m365-folders.js';

interface Named { id: string; displayName?: string; name?: string; isDefaultCalendar?: boolean }

const same = (a: string | undefined, b: string) => (a ?? '').trim().toLowerCase() === b.trim().toLowerCase();

/** A folder walk's listing this recent is trusted (a stale one costs at most a 409 and a fresh listing). */
const WALK_REUSE_MS = 30_000;

async function childNamed(ctx: M365Context, mailbox: MailboxRef, parentUrl: string, name: string, signal?: AbortSignal, fresh = false): Promise<Named | undefined> {
  const walked = ctx.children.get(parentUrl);
  if (!fresh && walked && Date.now() - walked.at < WALK_REUSE_MS) {
    const found = walked.list.find((c) => same(c.displayName, name));
    if (found) return found;
    // Not there a moment ago: create it (a 409 says another job did first, then the listing is read again).
    return undefined;
  }
  const children = await listAll<Named>(ctx, mailbox, `${parentUrl}?includeHiddenFolders=true&$top=100`, { doing: `listing the folders of ${mailbox.address}`, permission: 'Mail.ReadWrite' }, signal);
  return children.find((c) => same(c.displayName, name));
}

async function ensureMail(ctx: M365Context, mailbox: MailboxRef, path: string[], role: FolderRole, signal?: AbortSignal): Promise<FolderInfo> {
  const roles = await rolesOf(ctx, mailbox, signal);
  const byRole = [...roles.entries()].find(([, r]) => r.role === role);
  if (role && byRole) return { key: byRole[0], path: [byRole[1].displayName], role, itemType: 'mail' };
  const site = { doing: `creating folder "${path.join('/')}" for ${mailbox.address}`, permission: 'Mail.ReadWrite' as const };
  let parentUrl = `${userPath(mailbox)}/mailFolders`;
  let folder: Named | undefined;
  const made: string[] = [];
  for (const [i, segment] of path.entries()) {
    // The first segment may name a well-known folder in another platform's words (INBOX → Inbox).
    const known = i === 0 ? [...roles.entries()].find(([, r]) => same(r.displayName, segment) || (r.role === 'inbox' && same(segment, 'inbox'))) : undefined;
    folder = known ? { id: known[0], displayName: known[1].displayName } : await childNamed(ctx, mailbox, parentUrl, segment, signal);
    if (!folder) {
      folder = (await createFolder(ctx, mailbox, parentUrl, { displayName: segment }, site, signal)) ?? (await childNamed(ctx, mailbox, parentUrl, segment, signal, true));
      if (!folder) throw new Error(`folder ${segment} neither created nor found`);
      ctx.children.get(parentUrl)?.list.push({ id: folder.id, displayName: folder.displayName ?? segment });
    }
    made.push(folder.displayName ?? segment);
    parentUrl = `${userPath(mailbox)}/mailFolders/${encodeURIComponent(folder.id)}/childFolders`;
  }
  return { key: folder!.id, path: made, role: (roles.get(folder!.id)?.role ?? null) as FolderRole, itemType: 'mail' };
}

async function ensureCalendar(ctx: M365Context, mailbox: MailboxRef, path: string[], signal?: AbortSignal): Promise<FolderInfo> {
  const name = path.at(-1) ?? 'Calendar';
  const site = { doing: `creating calendar "${name}" for ${mailbox.address}`, permission: 'Calendars.ReadWrite' as const };
  const list = () => listAll<Named>(ctx, mailbox, `${userPath(mailbox)}/calendars?$top=100`, site, signal);
  const calendars = await list();
  let found = calendars.find((c) => same(c.name, name)) ?? (same(name, 'calendar') ? calendars.find((c) => c.isDefaultCalendar) : undefined);
  if (!found) found = (await createFolder(ctx, mailbox, `${userPath(mailbox)}/calendars`, { name }, site, signal)) ?? (await list()).find((c) => same(c.name, name));
  if (!found) throw new Error(`calendar ${name} neither created nor found`);
  return { key: `${CALENDAR_PREFIX}${found.id}`, path: [found.name ?? name], role: null, itemType: 'event' };
}

async function ensureContacts(ctx: M365Context, mailbox: MailboxRef, path: string[], signal?: AbortSignal): Promise<FolderInfo> {
  const name = path.at(-1) ?? 'Contacts';
  if (path.length <= 1 && same(name, 'contacts')) return { key: DEFAULT_CONTACTS, path: ['Contacts'], role: null, itemType: 'contact' };
  const site = { doing: `creating contact folder "${name}" for ${mailbox.address}`, permission: 'Contacts.ReadWrite' as const };
  const list = () => listAll<Named>(ctx, mailbox, `${userPath(mailbox)}/contactFolders?$top=100`, site, signal);
  let found = (await list()).find((c) => same(c.displayName, name));
  if (!found) found = (await createFolder(ctx, mailbox, `${userPath(mailbox)}/contactFolders`, { displayName: name }, site, signal)) ?? (await list()).find((c) => same(c.displayName, name));
  if (!found) throw new Error(`contact folder ${name} neither created nor found`);
  return { key: `${CONTACTS_PREFIX}${found.id}`, path: ['Contacts', found.displayName ?? name], role: null, itemType: 'contact' };
}

export function ensureFolder(ctx: M365Context, mailbox: MailboxRef, path: string[], role: FolderRole, itemType: ItemType, signal?: AbortSignal): Promise<FolderInfo> {
  if (itemType === 'event') return ensureCalendar(ctx, mailbox, path, signal);
  if (itemType === 'contact') return ensureContacts(ctx, mailbox, path, signal);
  // Roles Graph has no folder for (Gmail's All Mail, Flagged) become ordinary folders.
  const supported = WELL_KNOWN.some(([, r]) => r === role) ? role : null;
  return ensureMail(ctx, mailbox, path, supported, signal);
}
