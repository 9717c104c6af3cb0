/**
 * IMAP folders ↔ FolderInfo: path segments split on the server's delimiter (namespace prefix such as
 * Courier's "INBOX." left out), roles from SPECIAL-USE with a fallback on well-known names, and
 * creation on the destination in its own delimiter.
 */
import type { ImapFlow, ListResponse } from 'imapflow';
import type { FolderInfo, FolderRole } from '../types.js';

const SPECIAL_USE_ROLES: Record<string, FolderRole> = {
  '\\inbox': 'inbox',
  '\\sent': 'sent',
  '\\drafts': 'drafts',
  '\\trash': 'trash',
  '\\junk': 'junk',
  '\\archive': 'archive',
  '\\all': 'all',
  '\\flagged': 'flagged',
};

/** Names servers without SPECIAL-USE use for role folders (Exchange, Outlook, Thunderbird, Gmail). */
const WELL_KNOWN_NAMES: Record<string, FolderRole> = {
  inbox: 'inbox',
  sent: 'sent', 'sent items': 'sent', 'sent mail': 'sent', 'sent messages': 'sent',
  drafts: 'drafts', draft: 'drafts',
  trash: 'trash', 'deleted items': 'trash', 'deleted messages': 'trash', bin: 'trash',
  junk: 'junk', 'junk e-mail': 'junk', 'junk email': 'junk', spam: 'junk', 'bulk mail': 'junk',
  archive: 'archive', archives: 'archive',
  'all mail': 'all',
  starred: 'flagged', flagged: 'flagged',
};

export function roleOf(folder: Pick<ListResponse, 'path' | 'specialUse' | 'flags'>, segments: string[]): FolderRole {
  if (folder.path.toUpperCase() === 'INBOX') return 'inbox';
  const flagged = [folder.specialUse, ...folder.flags].map((flag) => (flag ? SPECIAL_USE_ROLES[flag.toLowerCase()] : undefined)).find(Boolean);
  if (flagged) return flagged;
  // Only top-level folders (or Gmail's "[Gmail]/…") stand for a role: "Projects/Sent" is just a folder.
  const last = segments[segments.length - 1]?.toLowerCase() ?? '';
  const topLevel = segments.length === 1 || (segments.length === 2 && /^\[(gmail|google mail)\]$/i.test(segments[0]!));
  return topLevel ? (WELL_KNOWN_NAMES[last] ?? null) : null;
}

/** Selectable folders only: a \Noselect node holds no mail. */
export function selectable(list: ListResponse[]): ListResponse[] {
  return list.filter((folder) => !hasFlag(folder, '\\noselect') && !hasFlag(folder, '\\nonexistent'));
}

function hasFlag(folder: ListResponse, flag: string): boolean {
  return [...folder.flags].some((f) => f.toLowerCase() === flag);
}

export function segmentsOf(client: ImapFlow, folder: Pick<ListResponse, 'path' | 'delimiter'>): string[] {
  const prefix = client.namespace?.prefix ?? '';
  let path = folder.path;
  if (prefix && path.startsWith(prefix) && path.length > prefix.length) path = path.slice(prefix.length);
  return folder.delimiter ? path.split(folder.delimiter).filter((s) => s !== '') : [path];
}

export function toFolderInfo(client: ImapFlow, folder: ListResponse): FolderInfo {
  const path = segmentsOf(client, folder);
  return { key: folder.path, path, role: roleOf(folder, path), itemType: 'mail' };
}

/** Sum of RFC822.SIZE over the folder, for servers without STATUS=SIZE. */
export async function folderBytes(client: ImapFlow, path: string): Promise<number> {
  const opened = await client.mailboxOpen(path, { readOnly: true });
  if (opened.exists === 0) return 0;
  const messages = await client.fetchAll('1:*', { size: true });
  return messages.reduce((sum, message) => sum + (message.size ?? 0), 0);
}

/** STATUS of the selected folder answers from the session's view (Dovecot): a NOOP brings it up to date first. */
export async function freshView(client: ImapFlow): Promise<void> {
  if (client.mailbox) await client.noop();
}

/** The raw LIST, for listFolders and ensureFolder to share (imap-connector.ts keeps it for the account's later calls). */
export function listAll(client: ImapFlow): Promise<ListResponse[]> {
  return client.list();
}

export async function listFolders(client: ImapFlow, withStats: boolean, listedAlready?: ListResponse[]): Promise<FolderInfo[]> {
  if (withStats) await freshView(client);
  const listed = selectable(listedAlready && !withStats ? listedAlready : await client.list(withStats ? { statusQuery: { messages: true, size: true } } : undefined));
  const folders: FolderInfo[] = [];
  for (const folder of listed) {
    const info = toFolderInfo(client, folder);
    if (withStats) {
      info.count = folder.status?.messages ?? 0;
      // STATUS=SIZE is optional; without it the sizes come from FETCH RFC822.SIZE.
      info.bytes = folder.status?.size ?? (info.count > 0 ? await folderBytes(client, folder.path) : 0);
    }
    folders.push(info);
  }
  return folders;
}

/**
 * Finds or creates the folder for `path` (segments from the source), given the account's current
 * LIST. A role folder lands in the destination's own folder of that role when it has one (source
 * "Sent Items" → destination "Sent"). `created` says the LIST is out of date now.
 */
export async function ensureFolder(client: ImapFlow, path: string[], role: FolderRole, listed: ListResponse[]): Promise<{ folder: FolderInfo; created: boolean }> {
  const existing = selectable(listed).map((folder) => toFolderInfo(client, folder));
  const found = (folder: FolderInfo) => ({ folder, created: false });
  if (role === 'inbox') return found(existing.find((f) => f.role === 'inbox') ?? { key: 'INBOX', path: ['INBOX'], role: 'inbox', itemType: 'mail' });
  if (role) {
    const match = existing.find((f) => f.role === role);
    if (match) return found(match);
  }
  const delimiter = listed[0]?.delimiter || client.namespace?.delimiter || '/';
  const prefix = client.namespace?.prefix ?? '';
  // A segment may contain the destination's delimiter ("a/b" from a '.' server); it must stay one level.
  const segments = path.map((segment) => segment.split(delimiter).join('_'));
  let key = '';
  for (let depth = 1; depth <= segments.length; depth++) {
    key = prefix + segments.slice(0, depth).join(delimiter);
    const there = existing.find((f) => f.key === key);
    if (there && depth === segments.length) return found(there);
    if (there) continue;
    const created = await client.mailboxCreate(key);
    key = created.path;
    await client.mailboxSubscribe(key);
  }
  return { folder: { key, path: segments, role: role ?? roleOf({ path: key, flags: new Set() }, segments), itemType: 'mail' }, created: true };
}
