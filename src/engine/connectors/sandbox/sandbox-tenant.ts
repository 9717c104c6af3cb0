import { createHash } from 'node:crypto';
import type { FolderInfo, FolderRole, Item, ItemType, MailboxKind, MailboxRef, MailboxStats } from '../types.js';

/**
 * A synthetic tenant computed from a seed: the same settings always give the same mailboxes,
 * folders and items, so tests can compare what a scan found with the truth.
 */
export interface SandboxShape {
  seed: number;
  mailboxes: number;
  messagesPerMailbox: number;
  domain: string;
}

export interface SandboxFolder {
  key: string;
  path: string[];
  role: FolderRole;
  itemType: ItemType;
}

const FIRST = ['Ada', 'Björn', 'Chloé', 'Dmitri', 'Eve', 'Farah', 'Günter', 'Hana', 'Ivan', 'Jun', 'Kalani', 'Léa', 'Mateo', 'Nia', 'Oskar', 'Priya'];
const LAST = ['Lovelace', 'Åström', 'Dubois', 'Petrov', 'Nakamura', 'Haddad', 'Müller', 'Sato', 'Ivanova', 'Okafor', 'Silva', 'Novak', 'Reyes', 'Kowalski'];

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A number in [0,1) fixed by its parts; used for deterministic failure injection. */
export function unitHash(...parts: (string | number)[]): number {
  const digest = createHash('sha256').update(parts.join('|')).digest();
  return digest.readUInt32BE(0) / 4294967296;
}

function kindOf(n: number): MailboxKind {
  // A couple of non-user kinds so matching and cards meet them early.
  if (n === 3) return 'shared';
  if (n === 5) return 'room';
  return 'user';
}

export function sandboxMailbox(shape: SandboxShape, n: number): MailboxRef {
  const kind = kindOf(n);
  const rnd = prng(shape.seed * 7919 + n);
  const person = `${FIRST[Math.floor(rnd() * FIRST.length)]} ${LAST[Math.floor(rnd() * LAST.length)]}`;
  const displayName = kind === 'shared' ? `Shared Desk ${n}` : kind === 'room' ? `Room ${n}` : person;
  const address = `user${n}@${shape.domain}`;
  return { id: `sandbox:${shape.domain}:user${n}`, address, displayName, kind };
}

export function sandboxMailboxes(shape: SandboxShape): MailboxRef[] {
  return Array.from({ length: shape.mailboxes }, (_, i) => sandboxMailbox(shape, i + 1));
}

export const SANDBOX_FOLDERS: readonly SandboxFolder[] = [
  { key: 'INBOX', path: ['Inbox'], role: 'inbox', itemType: 'mail' },
  { key: 'Sent', path: ['Sent'], role: 'sent', itemType: 'mail' },
  { key: 'Drafts', path: ['Drafts'], role: 'drafts', itemType: 'mail' },
  { key: 'Projects', path: ['Projects'], role: null, itemType: 'mail' },
  { key: 'Projects/Été 2024', path: ['Projects', 'Été 2024'], role: null, itemType: 'mail' },
  { key: 'Projects/Été 2024/Заметки', path: ['Projects', 'Été 2024', 'Заметки'], role: null, itemType: 'mail' },
  { key: 'Calendar', path: ['Calendar'], role: null, itemType: 'event' },
  { key: 'Contacts', path: ['Contacts'], role: null, itemType: 'contact' },
];

/** Items per folder for mailbox n: mail spread over the mail folders, a few events and contacts. */
export function folderItemCount(shape: SandboxShape, n: number, folder: SandboxFolder): number {
  if (folder.itemType === 'event') return 2 + (n % 3);
  if (folder.itemType === 'contact') return 1 + (n % 4);
  const mailFolders = SANDBOX_FOLDERS.filter((f) => f.itemType === 'mail');
  const index = mailFolders.findIndex((f) => f.key === folder.key);
  const base = Math.floor(shape.messagesPerMailbox / mailFolders.length);
  const extra = index < shape.messagesPerMailbox % mailFolders.length ? 1 : 0;
  return base + extra;
}

function ics(uid: string, summary: string, start: Date): string {
  const stamp = start.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//mailferry//sandbox//EN', 'BEGIN:VEVENT', `UID:${uid}`, `DTSTAMP:${stamp}`,
    `DTSTART:${stamp}`, `SUMMARY:${summary}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
}

function vcard(name: string, email: string): string {
  return ['BEGIN:VCARD', 'VERSION:3.0', `FN:${name}`, `EMAIL:${email}`, 'END:VCARD', ''].join('\r\n');
}

function message(shape: SandboxShape, owner: MailboxRef, folder: SandboxFolder, i: number, date: Date, messageId: string): string {
  const rnd = prng(shape.seed * 31 + i * 17 + folder.key.length);
  const words = ['migration', 'budget', 'été', 'meeting', 'report', 'naïve', 'quarter', 'plan', 'roadmap', 'invoice'];
  const lines = 2 + Math.floor(rnd() * 12);
  const body = Array.from({ length: lines }, () => Array.from({ length: 8 }, () => words[Math.floor(rnd() * words.length)]).join(' '));
  return [
    `From: Sandbox Sender <sender${i}@${shape.domain}>`,
    `To: ${owner.displayName} <${owner.address}>`,
    `Subject: ${folder.path.at(-1)} note ${i}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    ...body,
    '',
  ].join('\r\n');
}

function itemParts(shape: SandboxShape, n: number, folder: SandboxFolder, i: number) {
  const owner = sandboxMailbox(shape, n);
  const date = new Date(Date.UTC(2024, 0, 1) + (n * 1000 + i) * 3_600_000);
  const id = `${shape.seed}.${n}.${SANDBOX_FOLDERS.indexOf(folder)}.${i}`;
  const messageId = folder.itemType === 'mail' ? `<sbx.${id}@${shape.domain}>` : undefined;
  const text = folder.itemType === 'mail'
    ? message(shape, owner, folder, i, date, messageId ?? '')
    : folder.itemType === 'event' ? ics(`sbx-${id}@${shape.domain}`, `Sandbox event ${i}`, date) : vcard(`Contact ${i} of ${owner.displayName}`, `contact${i}@example.org`);
  return { date, messageId, content: Buffer.from(text, 'utf8') };
}

/** The generated item `i` (0-based) of a folder. */
export function sandboxItem(shape: SandboxShape, n: number, folder: SandboxFolder, i: number): Item {
  const { date, messageId, content } = itemParts(shape, n, folder, i);
  return {
    key: `${folder.key}#${i}`, type: folder.itemType, content, flags: i % 2 === 0 ? ['\\Seen'] : [], date, messageId,
    hash: createHash('sha256').update(content).digest('hex'),
  };
}

export function sandboxFolderInfo(shape: SandboxShape, n: number, folder: SandboxFolder): FolderInfo {
  const count = folderItemCount(shape, n, folder);
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += itemParts(shape, n, folder, i).content.length;
  return { key: folder.key, path: [...folder.path], role: folder.role, itemType: folder.itemType, count, bytes };
}

/** The truth a scan must find for mailbox n (generated content only). */
export function sandboxStats(shape: SandboxShape, n: number): MailboxStats {
  const stats: MailboxStats = { folders: SANDBOX_FOLDERS.length, mail: 0, events: 0, contacts: 0, bytes: 0 };
  for (const folder of SANDBOX_FOLDERS) {
    const info = sandboxFolderInfo(shape, n, folder);
    const count = info.count ?? 0;
    if (folder.itemType === 'mail') stats.mail += count;
    else if (folder.itemType === 'event') stats.events += count;
    else stats.contacts += count;
    stats.bytes += info.bytes ?? 0;
  }
  return stats;
}
