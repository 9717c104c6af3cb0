/** What every part of the Microsoft 365 connector shares: the Graph client, settings and small caches. */
import type { Item, MailboxRef } from '../types.js';
import type { M365Settings } from './m365-auth.js';
import type { GraphClient } from './m365-http.js';

export interface M365Context {
  client: GraphClient;
  settings: M365Settings;
  /** Listing facts kept for the read that follows (key → message metadata or a whole event/contact). */
  listed: Map<string, unknown>;
  /** Mail folder id → item count when last listed (and when): an empty folder needs no delta request. */
  folderCounts: Map<string, { count: number; at: number }>;
  /** Per mailbox: the chunk read in progress (readItems reads one chunk per mailbox at a time). */
  readTurns: Map<string, Promise<void>>;
  /** Items a chunk read got before it failed, for the retry (freed with the connector). */
  readDone: Map<string, Item>;
  /** Child listings of the last folder walk (parent URL → children), reused by ensureFolder for a short while. */
  children: Map<string, { at: number; list: { id: string; displayName?: string }[] }>;
}

/** `/users/{id}`: the immutable user id when known, else the address (a mailbox created in this run). */
export function userPath(mailbox: Pick<MailboxRef, 'id'>): string {
  return `/users/${encodeURIComponent(mailbox.id)}`;
}

/** The pacing bucket of a mailbox. */
export function bucketOf(mailbox: Pick<MailboxRef, 'id'>): string {
  return mailbox.id.toLowerCase();
}

/** Remembers listing facts for a following read, keeping the cache bounded. */
export function remember(ctx: M365Context, key: string, value: unknown): void {
  if (ctx.listed.size >= 5_000) {
    const oldest = ctx.listed.keys().next().value;
    if (oldest !== undefined) ctx.listed.delete(oldest);
  }
  ctx.listed.set(key, value);
}

/** The named extended properties mailferry stamps on what it writes (one property set GUID of its own). */
export const MAILFERRY_PROPSET = '{6a1d7c35-3b0e-4b55-9d1f-6d3c2f8e4a17}';
export const HASH_PROPERTY = `String ${MAILFERRY_PROPSET} Name mailferrySourceHash`;
export const ATTENDEES_PROPERTY = `String ${MAILFERRY_PROPSET} Name mailferryAttendees`;

/** An OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
