/**
 * The connector contract: what the engine needs from one side of a migration, for every platform
 * (Microsoft 365 over Graph, Google Workspace, Exchange over EWS or the outbound agent, IMAP, the
 * sandbox). Vendor SDK types never cross this file; vendor failures become AppErrors
 * (AUTH_FAILED, CONNECTION_FAILED, THROTTLED with retryAfterMs, NOT_FOUND, UNSUPPORTED).
 */

export type Platform = 'm365' | 'google' | 'exchange' | 'imap' | 'sandbox';
export const PLATFORMS: readonly Platform[] = ['m365', 'google', 'exchange', 'imap', 'sandbox'];

export type MailboxKind = 'user' | 'shared' | 'room' | 'equipment' | 'archive' | 'public_folders';

export type ItemType = 'mail' | 'event' | 'contact';

/** A folder's role, translated between platforms (IMAP SPECIAL-USE, Graph well-known names…). */
export type FolderRole = 'inbox' | 'sent' | 'drafts' | 'trash' | 'junk' | 'archive' | 'all' | 'flagged' | null;

export interface MailboxRef {
  /** The platform's immutable identity (Graph user id, Google user id, Exchange GUID, IMAP host + normalised address). Licenses key on it. */
  id: string;
  address: string;
  displayName: string;
  kind: MailboxKind;
}

export interface MailboxPage {
  mailboxes: MailboxRef[];
  /** Opaque; absent on the last page. */
  nextPage?: string;
}

export interface FolderInfo {
  /** Stable key of the folder on its side (IMAP path, Graph folder id, Gmail label id…). */
  key: string;
  /** Path segments from the root, already unescaped, e.g. ['Projects', 'Été 2024']. */
  path: string[];
  role: FolderRole;
  itemType: ItemType;
  /** Items in the folder when listed with stats; undefined when the platform cannot tell cheaply. */
  count?: number;
  bytes?: number;
}

export interface MailboxStats {
  folders: number;
  mail: number;
  events: number;
  contacts: number;
  bytes: number;
}

/** Where a pass over one folder stopped; opaque to the engine, stored per (mapping, folder). */
export type Cursor = string;

export interface ChangeRef {
  /** Source item key, stable across runs (IMAP `uidvalidity:uid`, Graph immutable id…). */
  key: string;
  kind: 'upsert' | 'delete' | 'flags';
  /** Cheap facts known from the listing, when the platform has them. */
  size?: number;
  flags?: string[];
  messageId?: string;
}

export interface ChangePage {
  changes: ChangeRef[];
  /** Cursor to store once every change of this page is recorded. */
  cursor: Cursor;
  /** True while more changes follow this page. */
  more: boolean;
  /** True when the stored cursor was invalid (UIDVALIDITY change, 410 delta): the engine resyncs with dedupe. */
  reset?: boolean;
}

export interface Item {
  key: string;
  type: ItemType;
  /** Raw MIME for mail, ICS for events, vCard for contacts. */
  content: Buffer;
  /** IMAP-style flags and keywords (\Seen, \Flagged, $Label…). */
  flags: string[];
  /** Received / internal date. */
  date: Date;
  messageId?: string;
  /** sha256 of content, hex; the item ledger stores it. */
  hash: string;
}

/**
 * What a probe looks for. `content`, when the caller has it, lets a destination that rewrites bytes
 * on the way in (Dovecot turns `\r\r\n` into `\r\n`) still recognise its own earlier copy.
 */
export type ProbeTarget = Pick<Item, 'messageId' | 'hash' | 'date' | 'type'> & { content?: Buffer };

export interface WriteResult {
  /** Destination item key; the ledger maps source key → this. */
  key: string;
}

export interface ConnectorLimits {
  /** Requests in flight per mailbox that the platform tolerates. */
  concurrencyPerMailbox: number;
  /** Requests per window per mailbox (Graph: 10,000 per 600 s). */
  requestsPerWindow: number;
  windowMs: number;
  /** Bytes written per window per mailbox, when the platform caps uploads. */
  uploadBytesPerWindow?: number;
  /** Largest item the destination accepts. */
  maxItemBytes?: number;
}

export interface ConnectorCapabilities {
  /** Can list mailboxes itself (IMAP cannot: the admin gives a list). */
  enumerateMailboxes: boolean;
  itemTypes: ItemType[];
  /** Incremental change listing (CONDSTORE, delta links, history ids, SyncState). */
  delta: boolean;
  createMailboxes: boolean;
}

export interface ValidationResult {
  ok: boolean;
  /** A sentence for the admin, e.g. "Signed in to imap.example.com as 3 of 3 mailboxes." */
  summary: string;
  /** Per-mailbox problems found during validation (wrong password for one account…). */
  problems: { address?: string; message: string }[];
}

export interface Connector {
  readonly platform: Platform;
  readonly capabilities: ConnectorCapabilities;
  readonly limits: ConnectorLimits;

  validate(signal?: AbortSignal): Promise<ValidationResult>;
  listMailboxes(page?: string, signal?: AbortSignal): Promise<MailboxPage>;
  mailboxStats(mailbox: MailboxRef, signal?: AbortSignal): Promise<MailboxStats>;
  /**
   * The mailbox's folders. `itemTypes`: the run needs only folders of these types, so a platform that lists each type
   * with its own requests (Graph: mail folders, calendars, contact folders) may skip the others; others may ignore it.
   */
  listFolders(mailbox: MailboxRef, options?: { withStats?: boolean; itemTypes?: ItemType[] }, signal?: AbortSignal): Promise<FolderInfo[]>;
  /** Create the folder (and parents) if missing; returns the folder as it now exists. */
  ensureFolder(mailbox: MailboxRef, path: string[], role: FolderRole, itemType: ItemType, signal?: AbortSignal): Promise<FolderInfo>;
  listChanges(mailbox: MailboxRef, folder: FolderInfo, cursor: Cursor | undefined, signal?: AbortSignal): Promise<ChangePage>;
  readItem(mailbox: MailboxRef, folder: FolderInfo, key: string, signal?: AbortSignal): Promise<Item>;
  /**
   * Reads several items of one folder in one request (IMAP: one UID FETCH over a UID set). Keys not
   * in the answer are gone (deleted or moved since listed). Optional: without it, readItem per key.
   */
  readItems?(mailbox: MailboxRef, folder: FolderInfo, keys: string[], signal?: AbortSignal): Promise<Item[]>;
  writeItem(mailbox: MailboxRef, folder: FolderInfo, item: Item, signal?: AbortSignal): Promise<WriteResult>;
  /** Look for an item already written (after a crash between write and ledger): returns its key or null. */
  probeItem(mailbox: MailboxRef, folder: FolderInfo, item: ProbeTarget, signal?: AbortSignal): Promise<string | null>;
  /**
   * create_missing: creates the account and its mailbox (Graph: POST /users with a generated password, then assignLicense);
   * returns the new mailbox's ref. The mailbox may not take items until mailboxReady says so. Absent unless capabilities.createMailboxes.
   */
  createMailbox?(spec: CreateMailboxSpec, signal?: AbortSignal): Promise<MailboxRef>;
  /** Whether a mailbox created by createMailbox is provisioned and takes items (Graph: mailboxSettings answers 200). */
  mailboxReady?(mailbox: MailboxRef, signal?: AbortSignal): Promise<boolean>;
  /** The tenant's subscribed license SKUs with free seats (Graph: GET /subscribedSkus), for the create-missing card. */
  listLicenseSkus?(signal?: AbortSignal): Promise<LicenseSku[]>;
  /** Replace an item's flags and keywords (a delta's flag changes); absent when the platform has no such notion. */
  updateFlags?(mailbox: MailboxRef, folder: FolderInfo, key: string, flags: string[], signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface CreateMailboxSpec {
  address: string;
  displayName: string;
  /** ISO 3166 alpha-2, required by Microsoft 365 before a license can be assigned. */
  usageLocation?: string;
  /** License SKU id to assign (Graph subscribedSkus skuId). */
  skuId?: string;
  /**
   * An earlier attempt of the same mailbox run may have created this account and died: if it exists, finish it
   * (assign the license it may lack) and return it instead of refusing with CONFLICT.
   */
  adopt?: boolean;
}

export interface LicenseSku {
  skuId: string;
  /** e.g. ENTERPRISEPACK, EXCHANGESTANDARD. */
  name: string;
  /** Seats left (enabled − consumed). */
  available: number;
}

/**
 * Where connectors reach their platforms. Production: the vendors' hosts; tests and benchmarks: the simulators.
 * From env (GRAPH_BASE_URL, MSAL_AUTHORITY_HOST, …) in main.ts, from EngineOptions.connectorEnv in tests; never from chat input.
 */
export interface ConnectorEnv {
  /** Default https://graph.microsoft.com */
  graphBaseUrl?: string;
  /** Default https://login.microsoftonline.com */
  authorityHost?: string;
  /** PEM of a CA to trust for those hosts (the simulators' self-signed certificate). */
  caCertPem?: string;
  /** Limits to declare instead of Microsoft's published ones (a simulator run with scaled-down limits). */
  graphLimits?: Partial<ConnectorLimits>;
}

/** The decrypted credentials of one side, as stored (encrypted) in connections.secret. */
export type ConnectionSettings =
  | { platform: 'imap'; host: string; port: number; tls: boolean; mailboxes: { address: string; password: string }[]; masterUser?: { user: string; password: string } }
  | { platform: 'sandbox'; seed: number; mailboxes: number; messagesPerMailbox: number; latencyMs?: number; throttleRate?: number; failureRate?: number; domain: string }
  | { platform: 'm365'; tenantId: string; clientId: string; clientSecret?: string; certificate?: string }
  | { platform: 'google'; serviceAccountJson: string; adminEmail: string; domain: string }
  | { platform: 'exchange'; url: string; username: string; password: string; viaAgent?: boolean };
