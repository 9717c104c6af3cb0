/**
 * Everything one simulator instance holds: tenants, apps, issued tokens, options, statistics.
 * Route handlers receive it; lookups that every route needs (tenant by id or domain, user by id or
 * UPN, the well-known folders) live here.
 */
import { randomUUID } from 'node:crypto';
import { GraphLimiter } from './limits.js';
import {
  defaultGraphLimits,
  emptyStats,
  type GraphSimulatorOptions,
  type SimApp,
  type SimFolder,
  type SimMailbox,
  type SimTenant,
  type SimUser,
} from './types.js';

export interface IssuedToken {
  tenantId: string;
  clientId: string;
  expiresAt: number;
}

/** Well-known folder name → display name (created in every mailbox, under msgfolderroot). */
export const WELL_KNOWN: Record<string, string> = {
  inbox: 'Inbox',
  sentitems: 'Sent Items',
  drafts: 'Drafts',
  deleteditems: 'Deleted Items',
  junkemail: 'Junk Email',
  archive: 'Archive',
  outbox: 'Outbox',
};

export class SimState {
  readonly tenants = new Map<string, SimTenant>();
  readonly multiTenantApps = new Map<string, SimApp>();
  readonly tokens = new Map<string, IssuedToken>();
  readonly stats = emptyStats();
  readonly limiter: GraphLimiter;
  origin = '';

  constructor(readonly options: GraphSimulatorOptions) {
    this.limiter = new GraphLimiter({ ...defaultGraphLimits, ...options.limits }, options.faults ?? {});
  }

  /** By tenant id (GUID) or by its domain, as the identity platform accepts both. */
  tenant(idOrDomain: string): SimTenant | undefined {
    const key = idOrDomain.toLowerCase();
    for (const t of this.tenants.values()) if (t.id.toLowerCase() === key || t.domain.toLowerCase() === key) return t;
    return undefined;
  }

  requireTenant(id: string): SimTenant {
    const t = this.tenant(id);
    if (!t) throw new Error(`graph simulator: unknown tenant ${id}`);
    return t;
  }

  user(tenant: SimTenant, idOrUpn: string): SimUser | undefined {
    const key = decodeURIComponent(idOrUpn).toLowerCase();
    const direct = tenant.users.get(key);
    if (direct) return direct;
    for (const u of tenant.users.values()) if (u.address.toLowerCase() === key || u.id === key) return u;
    return undefined;
  }

  requireUser(tenantId: string, idOrAddress: string): SimUser {
    const u = this.user(this.requireTenant(tenantId), idOrAddress);
    if (!u) throw new Error(`graph simulator: unknown user ${idOrAddress} in ${tenantId}`);
    return u;
  }

  mailboxReady(u: SimUser, now = Date.now()): boolean {
    return u.readyAt !== null && u.readyAt <= now;
  }
}

export function newId(): string {
  // Graph ids are long base64url strings; a uuid-derived one keeps logs readable.
  return `AAMk${Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url')}`;
}

export function newMailbox(): SimMailbox {
  const mb: SimMailbox = {
    folders: new Map(),
    messages: new Map(),
    removed: new Map(),
    seq: 0,
    calendars: new Map(),
    events: new Map(),
    contactFolders: new Map(),
    contacts: new Map(),
  };
  const root: SimFolder = { id: newId(), displayName: 'Top of Information Store', parentId: null, wellKnown: 'msgfolderroot', hidden: false };
  mb.folders.set(root.id, root);
  for (const [wellKnown, displayName] of Object.entries(WELL_KNOWN)) {
    const f: SimFolder = { id: newId(), displayName, parentId: root.id, wellKnown, hidden: false };
    mb.folders.set(f.id, f);
  }
  const cal = { id: newId(), name: 'Calendar', isDefault: true };
  mb.calendars.set(cal.id, cal);
  const contacts = { id: newId(), displayName: 'Contacts', isDefault: true };
  mb.contactFolders.set(contacts.id, contacts);
  return mb;
}

export function rootFolder(mb: SimMailbox): SimFolder {
  for (const f of mb.folders.values()) if (f.wellKnown === 'msgfolderroot') return f;
  throw new Error('graph simulator: mailbox without root');
}

/** A folder by id or well-known name. */
export function findFolder(mb: SimMailbox, idOrName: string): SimFolder | undefined {
  const direct = mb.folders.get(idOrName);
  if (direct) return direct;
  const name = idOrName.toLowerCase();
  for (const f of mb.folders.values()) if (f.wellKnown === name) return f;
  return undefined;
}

export function childFolders(mb: SimMailbox, parentId: string): SimFolder[] {
  return [...mb.folders.values()].filter((f) => f.parentId === parentId);
}

/** Display-name path below msgfolderroot, e.g. ['Inbox','Projects']. */
export function folderPath(mb: SimMailbox, f: SimFolder): string[] {
  const path: string[] = [];
  let cur: SimFolder | undefined = f;
  while (cur && cur.wellKnown !== 'msgfolderroot') {
    path.unshift(cur.displayName);
    cur = cur.parentId ? mb.folders.get(cur.parentId) : undefined;
  }
  return path;
}

/** Walks (and creates) display-name path segments below msgfolderroot. */
export function ensureFolderPath(mb: SimMailbox, path: string[], hidden = false): SimFolder {
  let cur = rootFolder(mb);
  for (const [i, name] of path.entries()) {
    const existing = childFolders(mb, cur.id).find((f) => f.displayName.toLowerCase() === name.toLowerCase());
    if (existing) {
      cur = existing;
      continue;
    }
    const created: SimFolder = { id: newId(), displayName: name, parentId: cur.id, wellKnown: null, hidden: hidden && i === path.length - 1 };
    mb.folders.set(created.id, created);
    cur = created;
  }
  return cur;
}
