/**
 * Folders of one mailbox: mail folders walked recursively from the root with hidden ones included
 * (GET mailFolders lists only root children and skips hidden folders: reference §1.2, pitfall 10),
 * calendars, and contact folders (the default one plus its children). Keys: the mail folder's
 * immutable id, `calendar:<id>`, `contacts:default`, `contacts:<id>`.
 */
import { AppError } from '../../../errors.js';
import type { FolderInfo, FolderRole, ItemType, MailboxRef, MailboxStats } from '../types.js';
import { bucketOf, userPath, type M365Context } from './m365-context.js';
import { GraphHttpError, type GraphSite } from './m365-errors.js';

interface GraphFolder {
  id: string;
  displayName: string;
  parentFolderId?: string;
  childFolderCount?: number;
  totalItemCount?: number;
  isHidden?: boolean;
  singleValueExtendedProperties?: { id: string; value: string }[];
}

interface Paged<T> { value?: T[]; '@odata.nextLink'?: string }

/** Graph well-known folder names ↔ roles. */
export const WELL_KNOWN: [string, FolderRole][] = [
  ['inbox', 'inbox'], ['sentitems', 'sent'], ['drafts', 'drafts'], ['deleteditems', 'trash'], ['junkemail', 'junk'], ['archive', 'archive'],
];
const SIZE_EXPAND = `$expand=${encodeURIComponent("singleValueExtendedProperties($filter=id eq 'Long 0x0E08')")}`;
const PAGE = 100;
export const CALENDAR_PREFIX = 'calendar:';
export const CONTACTS_PREFIX = 'contacts:';
export const DEFAULT_CONTACTS = 'contacts:default';

/** Every page of a listing (patient: folder walks are many requests). */
export async function listAll<T>(ctx: M365Context, mailbox: MailboxRef, url: string, site: GraphSite, signal?: AbortSignal, headers?: Record<string, string>): Promise<T[]> {
  const all: T[] = [];
  let next: string | undefined = url;
  while (next) {
    const page: Paged<T> = await ctx.client.json<Paged<T>>({ url: next, mailbox: bucketOf(mailbox), patient: true, site, signal, headers });
    all.push(...(page.value ?? []));
    next = page['@odata.nextLink'];
  }
  return all;
}

/**
 * Well-known folder ids per (Graph host, tenant, mailbox), shared by every connector of the process
 * for a short while: a run opens connectors per job, attempt and phase, and each would otherwise
 * spend six requests of the mailbox's budget on the same answer. A folder's immutable id does not
 * change; the TTL only bounds how long a newly made well-known folder (Archive) stays unseen.
 */
const ROLES_TTL_MS = 120_000;
const ROLES_KEPT = 2_000;
const sharedRoles = new Map<string, { at: number; roles: Promise<Map<string, { role: string; displayName: string }>> }>();

/**
 * Folder id → role, from the well-known names. Plain GETs through the pacer rather than one $batch:
 * a batch's inner requests would bypass the mailbox's concurrency slots.
 */
export function rolesOf(ctx: M365Context, mailbox: MailboxRef, signal?: AbortSignal): Promise<Map<string, { role: string; displayName: string }>> {
  const key = bucketOf(mailbox);
  const cacheKey = JSON.stringify([ctx.client.url(''), ctx.settings.tenantId.toLowerCase(), key]);
  const cached = sharedRoles.get(cacheKey);
  if (cached && Date.now() - cached.at < ROLES_TTL_MS) return untilAborted(cached.roles, signal);
  // Fetched without the caller's signal: other jobs may wait on the same answer.
  const found = (async () => {
    const site = { doing: `reading the folders of ${mailbox.address}`, permission: 'Mail.ReadWrite' as const };
    const roles = new Map<string, { role: string; displayName: string }>();
    await Promise.all(WELL_KNOWN.map(async ([name, role]) => {
      try {
        const folder = await ctx.client.json<GraphFolder>({ url: `${userPath(mailbox)}/mailFolders/${name}?$select=id,displayName`, mailbox: key, patient: true, expect: [404], site });
        if (folder.id && role) roles.set(folder.id, { role, displayName: folder.displayName });
      } catch (error) {
        // A mailbox without that folder (no archive yet) simply has no such role.
        if (!(error instanceof GraphHttpError)) throw error;
      }
    }));
    return roles;
  })();
  const entry = { at: Date.now(), roles: found };
  // Every ready mailbox has an Inbox: without one (not provisioned yet) the answer is not kept.
  const forget = () => { if (sharedRoles.get(cacheKey) === entry) sharedRoles.delete(cacheKey); };
  found.then((roles) => { if (![...roles.values()].some((r) => r.role === 'inbox')) forget(); }, forget);
  if (sharedRoles.size >= ROLES_KEPT) sharedRoles.delete(sharedRoles.keys().next().value!);
  sharedRoles.set(cacheKey, entry);
  return untilAborted(found, signal);
}

/** The shared answer, or the caller's cancellation if that comes first. */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AppError('CONNECTION_FAILED', 'The request was cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function sizeOf(folder: GraphFolder): number | undefined {
  const value = folder.singleValueExtendedProperties?.find((p) => /0x0E08/i.test(p.id))?.value;
  return value === undefined ? undefined : Number(value);
}

/** Every mail folder, parents before children, hidden ones included. */
async function mailFolders(ctx: M365Context, mailbox: MailboxRef, withStats: boolean, signal?: AbortSignal): Promise<FolderInfo[]> {
  const site = { doing: `listing the folders of ${mailbox.address}`, permission: 'Mail.ReadWrite' as const };
  const roles = await rolesOf(ctx, mailbox, signal);
  const query = `includeHiddenFolders=true&$top=${PAGE}${withStats ? `&${SIZE_EXPAND}` : ''}`;
  const out: FolderInfo[] = [];
  const walk = async (parentUrl: string) => {
    const children = await listAll<GraphFolder>(ctx, mailbox, `${parentUrl}?${query}`, site, signal);
    keepChildren(ctx, parentUrl, children);
    return children;
  };
  let level: { folder: GraphFolder; path: string[] }[] = (await walk(`${userPath(mailbox)}/mailFolders`))
    .map((folder) => ({ folder, path: [folder.displayName] }));
  while (level.length > 0) {
    const next: typeof level = [];
    // Children of one level at once (the pacer keeps them within the mailbox's concurrency).
    await Promise.all(level.map(async ({ folder, path }) => {
      out.push({
        key: folder.id, path, role: (roles.get(folder.id)?.role ?? null) as FolderRole, itemType: 'mail',
        ...(withStats ? { count: folder.totalItemCount ?? 0, bytes: sizeOf(folder) ?? 0 } : {}),
      });
      if (typeof folder.totalItemCount === 'number') ctx.folderCounts.set(folder.id, { count: folder.totalItemCount, at: Date.now() });
      const childUrl = `${userPath(mailbox)}/mailFolders/${encodeURIComponent(folder.id)}/childFolders`;
      if ((folder.childFolderCount ?? 1) === 0) {
        keepChildren(ctx, childUrl, []);
        return;
      }
      const children = await walk(childUrl);
      next.push(...children.map((child) => ({ folder: child, path: [...path, child.displayName] })));
    }));
    level = next;
  }
  return out;
}

/** Keeps a walk's child listing for ensureFolder (bounded: the newest few hundred parents). */
function keepChildren(ctx: M365Context, parentUrl: string, list: GraphFolder[]): void {
  if (ctx.children.size >= 500) ctx.children.delete(ctx.children.keys().next().value!);
  ctx.children.delete(parentUrl);
  ctx.children.set(parentUrl, { at: Date.now(), list: list.map((f) => ({ id: f.id, displayName: f.displayName })) });
}

async function countItems(ctx: M365Context, mailbox: MailboxRef, url: string, site: GraphSite, signal?: AbortSignal): Promise<number> {
  return (await listAll<{ id: string }>(ctx, mailbox, url, site, signal)).length;
}

async function calendarFolders(ctx: M365Context, mailbox: MailboxRef, withStats: boolean, signal?: AbortSignal): Promise<FolderInfo[]> {
  const site = { doing: `listing the calendars of ${mailbox.address}`, permission: 'Calendars.ReadWrite' as const };
  const calendars = await listAll<{ id: string; name: string }>(ctx, mailbox, `${userPath(mailbox)}/calendars?$top=${PAGE}`, site, signal);
  return Promise.all(calendars.map(async (c) => ({
    key: `${CALENDAR_PREFIX}${c.id}`, path: [c.name], role: null, itemType: 'event' as const,
    ...(withStats ? { count: await countItems(ctx, mailbox, `${userPath(mailbox)}/calendars/${encodeURIComponent(c.id)}/events?$select=id&$top=500`, site, signal) } : {}),
  })));
}

async function contactFolders(ctx: M365Context, mailbox: MailboxRef, withStats: boolean, signal?: AbortSignal): Promise<FolderInfo[]> {
  const site = { doing: `listing the contact folders of ${mailbox.address}`, permission: 'Contacts.ReadWrite' as const };
  const folders = await listAll<GraphFolder>(ctx, mailbox, `${userPath(mailbox)}/contactFolders?$top=${PAGE}`, site, signal);
  const count = (url: string) => (withStats ? countItems(ctx, mailbox, url, site, signal).then((n) => ({ count: n })) : Promise.resolve({}));
  return [
    { key: DEFAULT_CONTACTS, path: ['Contacts'], role: null, itemType: 'contact', ...(await count(`${userPath(mailbox)}/contacts?$select=id&$top=500`)) },
    ...(await Promise.all(folders.map(async (f) => ({
      key: `${CONTACTS_PREFIX}${f.id}`, path: ['Contacts', f.displayName], role: null, itemType: 'contact' as const,
      ...(await count(`${userPath(mailbox)}/contactFolders/${encodeURIComponent(f.id)}/contacts?$select=id&$top=500`)),
    })))),
  ];
}

/** Every folder of the item types asked for (all three unless the caller says). */
export async function listFolders(ctx: M365Context, mailbox: MailboxRef, withStats: boolean, signal?: AbortSignal, itemTypes?: ItemType[]): Promise<FolderInfo[]> {
  const wanted = (type: ItemType) => !itemTypes || itemTypes.includes(type);
  const none = Promise.resolve([] as FolderInfo[]);
  const [mail, calendars, contacts] = await Promise.all([
    wanted('mail') ? mailFolders(ctx, mailbox, withStats, signal) : none,
    wanted('event') ? calendarFolders(ctx, mailbox, withStats, signal) : none,
    wanted('contact') ? contactFolders(ctx, mailbox, withStats, signal) : none,
  ]);
  return [...mail, ...calendars, ...contacts];
}

export async function mailboxStats(ctx: M365Context, mailbox: MailboxRef, signal?: AbortSignal): Promise<MailboxStats> {
  const stats: MailboxStats = { folders: 0, mail: 0, events: 0, contacts: 0, bytes: 0 };
  for (const f of await listFolders(ctx, mailbox, true, signal)) {
    stats.folders++;
    const n = f.count ?? 0;
    if (f.itemType === 'mail') stats.mail += n;
    else if (f.itemType === 'event') stats.events += n;
    else stats.contacts += n;
    stats.bytes += f.bytes ?? 0;
  }
  return stats;
}

/** Posts a folder; 409 (it exists: another job made it first) comes back as null. */
export async function createFolder(ctx: M365Context, mailbox: MailboxRef, url: string, body: unknown, site: GraphSite, signal?: AbortSignal): Promise<{ id: string; displayName?: string; name?: string } | null> {
  try {
    return await ctx.client.json({ method: 'POST', url, body, mailbox: bucketOf(mailbox), patient: true, expect: [409], site, signal });
  } catch (error) {
    if (error instanceof GraphHttpError && error.status === 409) return null;
    throw error;
  }
}
