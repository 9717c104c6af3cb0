/**
 * The simulator's in-memory model: tenants → users → one mailbox each (folders, messages, calendars,
 * events, contact folders, contacts), plus the options, limits and statistics of the harness API
 * (/work/notes/graph-contract.md). Plain data; the route files mutate it.
 */

export interface GraphLimits {
  concurrency: number;
  requestsPerWindow: number;
  windowMs: number;
  uploadBytesPerWindow: number;
  uploadWindowMs: number;
}

export interface GraphFaults {
  randomThrottleRate?: number;
  random503Rate?: number;
  seed?: number;
}

/** Microsoft's published Outlook limits per app + mailbox (learn.microsoft.com/graph/throttling-limits). */
export const defaultGraphLimits: GraphLimits = {
  concurrency: 4,
  requestsPerWindow: 10_000,
  windowMs: 600_000,
  uploadBytesPerWindow: 150 * 1024 * 1024,
  uploadWindowMs: 300_000,
};

export interface GraphSimulatorOptions {
  limits?: Partial<GraphLimits>;
  faults?: GraphFaults;
  /** Time from license assignment to a ready mailbox (mailboxSettings 200). */
  provisioningDelayMs?: number;
  consentDecision?: 'accept' | 'deny';
  /** The tenant the consenting admin signs in to (default: the first tenant added). */
  consentTenant?: string;
  /** Added to every Graph request while it holds its mailbox's concurrency slot. */
  latencyMs?: number;
  /** Called for every mailbox-scoped request as the limiter decides it (benchmarks trace pacing with it). */
  onRequest?: (e: { at: number; mailbox: string; method: string; path: string; outcome: 'ok' | 'concurrency' | 'rate' | 'upload' | 'random' | 'unavailable' }) => void;
}

export interface GraphStats {
  requests: number;
  throttled: { concurrency: number; rate: number; upload: number; random: number };
  unavailable503: number;
  batchInner429: number;
  gone410: number;
  draftsCreated: number;
  invitationsSent: number;
  usersCreated: number;
  bytesUploaded: number;
  missingImmutableIdPrefer: number;
  /** Mailbox-scoped requests per mailbox address (throttled ones included: they count against the budget). */
  perMailbox: Record<string, number>;
  /** Requests per endpoint ("GET /users/{u}/messages/{id}/$value"), $batch inner ones included: where a client spends its budget. */
  byRoute: Record<string, number>;
}

export function emptyStats(): GraphStats {
  return {
    requests: 0,
    throttled: { concurrency: 0, rate: 0, upload: 0, random: 0 },
    unavailable503: 0,
    batchInner429: 0,
    gone410: 0,
    draftsCreated: 0,
    invitationsSent: 0,
    usersCreated: 0,
    bytesUploaded: 0,
    missingImmutableIdPrefer: 0,
    perMailbox: {},
    byRoute: {},
  };
}

export type Json = Record<string, unknown>;

export interface SimApp {
  clientId: string;
  clientSecret: string;
  /** The secret exists but has expired (AADSTS7000222). */
  secretExpired?: boolean;
}

export interface SimSku {
  skuId: string;
  skuPartNumber: string;
  enabled: number;
  consumed: number;
}

export interface SimTenant {
  id: string;
  domain: string;
  displayName: string;
  apps: Map<string, SimApp>;
  /** Multi-tenant apps an admin of this tenant consented to. */
  consented: Set<string>;
  users: Map<string, SimUser>;
  skus: SimSku[];
}

export interface SimUser {
  id: string;
  address: string;
  displayName: string;
  purpose: 'user' | 'shared' | 'room' | 'equipment';
  mailNickname: string;
  accountEnabled: boolean;
  usageLocation: string | null;
  licensed: string[];
  /** The mailbox exists once readyAt has passed; null = no mailbox (unlicensed created user, mail-less user). */
  readyAt: number | null;
  mailbox: SimMailbox;
}

export interface SimFolder {
  id: string;
  displayName: string;
  parentId: string | null;
  wellKnown: string | null;
  hidden: boolean;
}

export interface SimAttachment {
  name: string;
  contentType: string;
  contentBytes: string;
  contentId?: string;
  isInline: boolean;
}

export interface SimMessage {
  id: string;
  folderId: string;
  /** Stored bytes for seeded / MIME-created items; JSON-created ones generate theirs on read. */
  mime: Buffer | null;
  subject: string;
  internetMessageId: string | null;
  from: Json | null;
  toRecipients: Json[];
  ccRecipients: Json[];
  bccRecipients: Json[];
  replyTo: Json[];
  body: { contentType: string; content: string };
  internetMessageHeaders: { name: string; value: string }[];
  attachments: SimAttachment[];
  extended: { id: string; value: string }[];
  isRead: boolean;
  isDraft: boolean;
  flagStatus: 'notFlagged' | 'flagged' | 'complete';
  categories: string[];
  receivedDateTime: string;
  sentDateTime: string;
  createdDateTime: string;
  /** Mailbox change sequence of the last change (delta). */
  seq: number;
}

export interface SimEvent {
  id: string;
  calendarId: string;
  data: Json;
  iCalUId: string;
}

export interface SimContact {
  id: string;
  folderId: string;
  data: Json;
}

export interface SimMailbox {
  folders: Map<string, SimFolder>;
  messages: Map<string, SimMessage>;
  /** Deleted messages, for delta's @removed entries. */
  removed: Map<string, { folderId: string; seq: number }>;
  seq: number;
  calendars: Map<string, { id: string; name: string; isDefault: boolean }>;
  events: Map<string, SimEvent>;
  contactFolders: Map<string, { id: string; displayName: string; isDefault: boolean }>;
  contacts: Map<string, SimContact>;
}
