/**
 * The engine as the chat layer and the CLI see it: plain data in, plain data out. No ORM row,
 * no vendor type crosses this file. Every operation checks its own preconditions and throws
 * AppError with a sentence for the user; authorization (roles) is checked here too, so that a
 * forgotten check in a chat handler cannot open a hole.
 */
import type { ConnectionSettings, MailboxKind, Platform } from './connectors/types.js';

export type Role = 'admin' | 'approver' | 'helpdesk';
export const ROLES: readonly Role[] = ['admin', 'approver', 'helpdesk'];

/** Who acts: the org, the platform user id, and whether the platform says they are an admin. */
export interface Actor {
  orgId: string;
  /** Shown in org listings the first time the org is seen. */
  orgName?: string;
  userId: string;
  userName: string;
  /** Slack workspace owner/admin, MAILFERRY_ADMINS, or the CLI operator. */
  platformAdmin: boolean;
}

export type Side = 'source' | 'destination';
export type MappingStatus = 'matched' | 'needs_review' | 'excluded' | 'create_missing';
export type RunMode = 'scan' | 'structure' | 'full' | 'delta' | 'retry';
export type RunStatus = 'pending_approval' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface ConnectionInfo {
  side: Side;
  platform: Platform;
  status: 'valid' | 'invalid';
  /** Non-secret summary ("imap://mail.example.com:993, 3 accounts"). */
  summary: string;
  validatedAt: string | null;
}

export interface ProjectInfo {
  id: string;
  orgId: string;
  name: string;
  sourcePlatform: Platform;
  destinationPlatform: Platform;
  channelKey: string;
  createdBy: string;
  createdAt: string;
  connections: ConnectionInfo[];
  /** What to do next: connect → scan → match → launch. */
  stage: 'needs_connections' | 'ready_to_scan' | 'scanning' | 'ready_to_match' | 'ready_to_launch';
  lastScan: RunInfo | null;
}

export interface MailboxInfo {
  id: string;
  side: Side;
  address: string;
  displayName: string;
  kind: MailboxKind;
  folders: number | null;
  mail: number | null;
  events: number | null;
  contacts: number | null;
  bytes: number | null;
  scanError: string | null;
}

export interface MailboxRunInfo {
  id: string;
  mailbox: MailboxInfo;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
  health: string;
  healthReason: string | null;
  error: string | null;
  /** Copy runs: this mailbox's items and bytes so far (a scan puts what it counted in itemsTotal and bytesDone). */
  itemsTotal: number;
  itemsDone: number;
  itemsFailed: number;
  bytesDone: number;
  /** When its last item moved (null before the first). */
  lastProgressAt: string | null;
}

export interface ScanSummary {
  source: { mailboxes: number; folders: number; mail: number; events: number; contacts: number; bytes: number };
  destination: { mailboxes: number; folders: number; mail: number; events: number; contacts: number; bytes: number };
  largest: { address: string; bytes: number; items: number } | null;
  failed: number;
  /** Predicted duration of a full run from the destination platform's limits, in seconds. */
  predictedFullRunSeconds: number;
}

export interface RunInfo {
  id: string;
  projectId: string;
  projectName: string;
  channelKey: string;
  mode: RunMode;
  status: RunStatus;
  /** Platform user id (or `cli:<user>`): who to ask. */
  startedBy: string;
  /** The same person as people read it; null on runs stored before names were. */
  startedByName: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** Counters: mailboxesTotal, mailboxesDone, mailboxesFailed, … */
  progress: Record<string, number>;
  /** Scans only; copy runs carry `verification` instead. */
  summary: ScanSummary | null;
  /** Copy runs, once finished: the verification pass (getVerification reads the same). */
  verification?: VerificationInfo | null;
  /** Copy runs: what a full run moves. */
  options?: RunOptions;
  error: string | null;
}

export interface RunDetail extends RunInfo {
  /**
   * At most 200: failed, then stalled/throttled/degraded running ones, then running by most recent progress,
   * pending, the rest (source before destination within a rank); totals are in `progress`.
   */
  mailboxRuns: MailboxRunInfo[];
}

export interface MappingInfo {
  id: string;
  source: MailboxInfo;
  destination: MailboxInfo | null;
  destinationAddress: string | null;
  status: MappingStatus;
  confidence: number;
  reason: string;
  changedBy: string;
  /** Destination addresses that could be chosen (best first, ≤ 100). */
  candidates: string[];
}

export interface MatchReview {
  project: ProjectInfo;
  filter: 'needs_review' | 'all';
  page: number;
  pageSize: number;
  total: number;
  counts: Record<MappingStatus, number> & { total: number };
  rows: MappingInfo[];
}

export interface RoleEntry {
  userId: string;
  role: Role;
  grantedBy: string;
}

export interface AuditEntry {
  actor: string;
  action: string;
  outcome: 'allowed' | 'denied' | 'failed';
  projectId: string | null;
  detail: Record<string, unknown>;
  at: string;
}

/** What the notifier hears: a run moved. Delivered across processes (Redis pub/sub). */
export interface EngineEvent {
  type: 'run.progress' | 'run.finished' | 'mailbox.alert';
  runId: string;
  projectId: string;
  channelKey: string;
  /** mailbox.alert only: which mailbox, how bad, and the sentence for the thread reply. */
  alert?: { mailboxRunId: string; address: string; level: 'warn' | 'error'; message: string };
}

/** What a copy run moves (full runs; structure ignores it). */
export interface RunOptions {
  mail?: boolean;
  calendars?: boolean;
  contacts?: boolean;
  /** ISO dates: only items received in [from, to). */
  from?: string;
  to?: string;
}

/** One mailbox's copy progress, for `/migrate status <address>` and the CLI. */
export interface MailboxProgressInfo {
  mailboxRunId: string;
  runId: string;
  projectName: string;
  mode: RunMode;
  sourceAddress: string;
  destinationAddress: string | null;
  status: MailboxRunInfo['status'];
  health: 'healthy' | 'throttled_source' | 'throttled_destination' | 'degraded' | 'stalled' | 'failed';
  healthReason: string | null;
  itemsTotal: number;
  itemsDone: number;
  itemsFailed: number;
  bytesDone: number;
  /** Over the last few minutes of this mailbox's work. */
  itemsPerMinute: number;
  bytesPerMinute: number;
  /** Seconds, null when unknown. */
  etaSeconds: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

export interface MailboxLogEntry {
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface MailboxLogPage {
  mailbox: MailboxProgressInfo;
  entries: MailboxLogEntry[];
  page: number;
  pageCount: number;
  total: number;
}

/** The verification pass at the end of every copy run. */
export interface VerificationInfo {
  runId: string;
  projectName: string;
  /** 0..100: share of source items present at the destination and in the ledger. */
  consistencyPercent: number;
  mailboxes: {
    sourceAddress: string;
    destinationAddress: string | null;
    folders: { path: string; source: number; destination: number; ledger: number; missing: number }[];
    missing: number;
  }[];
  missingTotal: number;
  failedItems: number;
}

export interface StoredCard {
  channelKey: string;
  subject: string;
  messageRef: string;
}

/** A field of a platform's credentials form; parseConnectionForm reads the same ids. */
export interface ConnectionFieldSpec {
  id: string;
  label: string;
  type: 'text' | 'password' | 'number' | 'multiline' | 'toggle';
  required: boolean;
  placeholder?: string;
  hint?: string;
  /** Default value (never a secret). */
  value?: string;
}

export interface PlatformInfo {
  id: Platform;
  label: string;
  /** False for platforms whose connector is not built yet: projects cannot use them. */
  available: boolean;
}

export interface Engine {
  // — platforms —
  platforms(): PlatformInfo[];
  /** The credentials form of a platform (IMAP: host, port, TLS, accounts CSV…). */
  connectionForm(platform: Platform): { intro: string; fields: ConnectionFieldSpec[] };

  // — orgs and roles —
  rolesOf(actor: Actor): Promise<Role[]>;
  /** Throws AppError FORBIDDEN (and audits the denial) unless the actor holds one of `allowed`. */
  authorize(actor: Actor, allowed: readonly Role[], action: string, projectId?: string): Promise<void>;
  listRoles(actor: Actor): Promise<RoleEntry[]>;
  grantRole(actor: Actor, props: { userId: string; role: Role }): Promise<RoleEntry[]>;
  revokeRole(actor: Actor, props: { userId: string; role: Role }): Promise<RoleEntry[]>;
  audit(actor: Actor, entry: { action: string; outcome: AuditEntry['outcome']; projectId?: string; detail?: Record<string, unknown> }): Promise<void>;
  listAudit(orgId: string, limit?: number): Promise<AuditEntry[]>;

  // — projects and connections —
  createProject(actor: Actor, props: { name: string; sourcePlatform: string; destinationPlatform: string; channelKey: string }): Promise<ProjectInfo>;
  listProjects(actor: Actor): Promise<ProjectInfo[]>;
  /** By name (case-insensitive) or id. */
  getProject(actor: Actor, nameOrId: string): Promise<ProjectInfo>;
  /** Validates against the platform first; an invalid connection saves nothing and throws AUTH_FAILED/CONNECTION_FAILED with per-mailbox problems in details.problems. */
  saveConnection(actor: Actor, props: { project: string; side: Side; settings: ConnectionSettings }): Promise<ConnectionInfo>;
  /** Parses the form fields of a platform's credentials form into settings (BAD_INPUT with the field name). */
  parseConnectionForm(platform: Platform, fields: Record<string, unknown>): ConnectionSettings;

  // — scan —
  /** Queues a scan of both sides (free). CONFLICT if a run is active; NOT_CONNECTED if a side is missing. */
  startScan(actor: Actor, props: { project: string }): Promise<RunInfo>;
  getRun(runId: string): Promise<RunDetail>;
  latestRun(actor: Actor, props: { project: string; mode?: RunMode }): Promise<RunDetail | null>;

  // — match —
  /** Reads the review; builds suggestions if the latest scan has none yet. */
  getMatchReview(actor: Actor, props: { project: string; filter?: 'needs_review' | 'all'; page?: number; pageSize?: number }): Promise<MatchReview>;
  updateMapping(actor: Actor, props: { project: string; mappingId: string; change: { type: 'override'; destinationAddress: string } | { type: 'exclude' } | { type: 'include' } | { type: 'create_missing'; destinationAddress?: string } }): Promise<MappingInfo>;
  exportMappingCsv(actor: Actor, props: { project: string }): Promise<string>;
  /** Applies a CSV (`source_address,destination_address,status`); returns counts and per-line errors; nothing applied if any line is wrong. */
  importMappingCsv(actor: Actor, props: { project: string; csv: string }): Promise<{ applied: number; unchanged: number }>;

  // — copy runs (structure, full, delta, retry) —
  /** Queues a copy run over the project's mappings (matched and create_missing). CONFLICT when a run is active; NOT_SCANNED before a scan. */
  launchRun(actor: Actor, props: { project: string; mode: Exclude<RunMode, 'scan'>; options?: RunOptions }): Promise<RunInfo>;
  /** Cancels the active run: queued mailboxes never start, running ones stop at the next item (AbortSignal). */
  cancelRun(actor: Actor, props: { project: string }): Promise<RunInfo>;
  /** The latest mailbox run of a source (or destination) address, across the org's projects unless one is named. */
  mailboxStatus(actor: Actor, props: { address: string; project?: string }): Promise<MailboxProgressInfo>;
  mailboxLog(actor: Actor, props: { address: string; project?: string; page?: number; pageSize?: number }): Promise<MailboxLogPage>;
  /** The verification of the latest finished copy run of a project (or of `runId`). */
  getVerification(actor: Actor, props: { project: string; runId?: string }): Promise<VerificationInfo | null>;

  // — chat plumbing the engine stores for the bot —
  saveConversationRef(props: { channelKey: string; orgId: string; platform: 'slack' | 'teams'; reference: Record<string, unknown> }): Promise<void>;
  getConversationRef(channelKey: string): Promise<{ orgId: string; platform: 'slack' | 'teams'; reference: Record<string, unknown> } | null>;
  findCard(subject: string, channelKey: string): Promise<StoredCard | null>;
  saveCard(card: StoredCard): Promise<void>;

  // — events and lifecycle —
  /** Subscribes to run events from every process; returns an unsubscribe function. */
  onEvent(handler: (event: EngineEvent) => void): Promise<() => Promise<void>>;
  /** Starts BullMQ workers in this process (ROLE=worker|all). */
  startWorkers(): Promise<void>;
  /** Creates the sandbox "demo" project for an org if it has none (local mode). */
  ensureDemoProject(orgId: string, channelKey: string): Promise<ProjectInfo | null>;
  /** Database and Redis reachable. */
  ready(): Promise<{ database: boolean; redis: boolean }>;
  close(): Promise<void>;
}

export interface EngineOptions {
  databaseUrl?: string;
  /** PGlite data dir; `memory://` in tests. */
  dataDir: string;
  redisUrl: string;
  /** BullMQ prefix / Redis channel namespace. */
  queuePrefix: string;
  /** 32 bytes, base64. */
  secretKey: string;
  /** Platform user ids that are admins in every org (MAILFERRY_ADMINS). */
  admins: string[];
  /** Injectable clock for tests. */
  now?: () => Date;
  log?: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
  /** A running mailbox with no progress for this long is marked stalled and retried (default 10 min). */
  stallAfterMs?: number;
  /** How often the reconciler and the watchdog look (default 5 s). */
  reconcileEveryMs?: number;
  /** Mailboxes copied at once by this process's worker (default 4). */
  copyConcurrency?: number;
  /** Opens a connector; tests wrap it to count calls or inject faults. Default: the platform's connector. */
  connect?: (settings: ConnectionSettings) => Promise<import('./connectors/types.js').Connector>;
}
