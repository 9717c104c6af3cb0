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
  /** Full runs that need credits: the hold (pending_approval until decided). */
  hold?: HoldInfo | null;
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
  /** 1-based, clamped to the last page. */
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
  type: 'run.progress' | 'run.finished' | 'mailbox.alert' | 'hold.created' | 'hold.decided' | 'credits.changed';
  /** Empty for credits.changed. */
  runId: string;
  projectId: string;
  channelKey: string;
  /** hold.* and credits.changed: the org whose credits moved. */
  orgId?: string;
  /** hold.*: which hold. */
  holdId?: string;
  /** credits.changed: one sentence ("12 credits granted by Alex: Q4 purchase"; "3 credits consumed by run r_… of Contoso"). */
  note?: string;
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
  /** Destinations flagged create_missing on a platform that creates users (Microsoft 365): where and with which license. */
  createMissing?: { usageLocation: string; skuId: string };
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

/** What a full run's create-missing step will do (Engine.createMissingPlan). */
export interface CreateMissingPlan {
  toCreate: { sourceAddress: string; destinationAddress: string }[];
  /** The destination tenant's license SKUs (Graph subscribedSkus), most seats left first. */
  skus: { skuId: string; name: string; available: number }[];
  /** True when the destination creates users that need RunOptions.createMissing (Microsoft 365). */
  createsUsers: boolean;
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


// — credits and licensing (DESIGN §5) —

export type HoldStatus = 'pending_approval' | 'held' | 'consumed' | 'released' | 'rejected' | 'expired';
export type LedgerKind = 'grant' | 'hold' | 'release' | 'consume' | 'expire';

/** An org's licensing rules; every field has the DESIGN §5 default and can be changed per org. */
export interface CreditPolicy {
  /** Credits per unlicensed source mailbox in a full run (default 1). */
  perMailbox: number;
  /** Room and equipment mailboxes cost nothing (default true). */
  resourceFree: boolean;
  /** Public folders: credits once per project (default 25). */
  publicFoldersCost: number;
  /** License validity in months (default 12). */
  licenseMonths: number;
  /** Hours a hold waits for a decision before it is released and its run cancelled (default 24). */
  holdTtlHours: number;
  /** Whether the launcher may approve their own hold (default false; orgs.self_approval). */
  selfApproval: boolean;
}

/** One mailbox's line of a credit need. */
export interface CreditLine {
  sourceAddress: string;
  kind: MailboxKind;
  /** 0 when free. */
  credits: number;
  /** "unlicensed", "licensed until 2027-11-24", "resource mailbox: free", "public folders: 25 once per project", "archive: its own license". */
  reason: string;
}

export interface CreditNeed {
  need: number;
  available: number;
  /** max(0, need − available). */
  shortfall: number;
  /** Every covered mailbox (the card pages them). */
  lines: CreditLine[];
}

export interface HoldInfo {
  id: string;
  orgId: string;
  projectId: string;
  projectName: string;
  runId: string;
  /** The channel of the project (where the approval card lives). */
  channelKey: string;
  status: HoldStatus;
  /** Credits reserved when created. */
  amount: number;
  consumed: number;
  released: number;
  /** Available before and after this hold, as computed when it was created. */
  availableBefore: number;
  availableAfter: number;
  requestedBy: string;
  requestedByName: string;
  createdAt: string;
  /** When an undecided hold expires (createdAt + holdTtlHours). */
  expiresAt: string;
  decidedBy: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
  /** Why it ended ("rejected by Megan", "no decision within 24 h", "run cancelled by Alex", "run finished: 3 consumed, 2 released"). */
  outcome: string | null;
  /** Lines of the need (paged by cards). */
  lines: CreditLine[];
  /** Platform user ids of who may decide: the operators (MAILFERRY_ADMINS), then the org's approvers and admins; at most 60. */
  approverIds: string[];
  /**
   * The same people as the chat platform addresses them in card refreshes: Teams `refresh.userIds` takes user MRIs
   * (`29:…`), not the aadObjectIds roles are stored under; an approver never seen in Teams keeps their stored id.
   */
  approverChatIds: string[];
  /** Whether the requester may approve this hold themselves. */
  selfApproval: boolean;
}

export interface LedgerEntryInfo {
  id: number;
  at: string;
  kind: LedgerKind;
  /** Effect on the balance: grant +n, consume −n, expire −n when credits lapse, hold/release 0. */
  amount: number;
  /** Effect on held credits: hold +n, release −n, consume −n (from its hold), expire of a hold −n. */
  heldDelta: number;
  balanceAfter: number;
  holdId: string | null;
  runId: string | null;
  projectName: string | null;
  /** Who caused it (platform user id, `cli:<user>`, `system`). */
  actor: string;
  reason: string;
}

export interface LicenseInfo {
  sourceAddress: string;
  /** The immutable identity it is keyed on. */
  identity: string;
  kind: MailboxKind;
  projectName: string;
  consumedAt: string;
  expiresAt: string;
}

export interface CreditsInfo {
  orgId: string;
  balance: number;
  /** balance − held; never negative. */
  available: number;
  held: number;
  /** Credits consumed so far (all time). */
  consumed: number;
  /** Licenses valid now. */
  licenses: number;
  /** Licenses that expire within 30 days (≤ 20, soonest first) and their count. */
  expiringSoon: { total: number; licenses: LicenseInfo[] };
  pendingHolds: number;
  /** Latest entries, newest first (≤ 10). */
  recent: LedgerEntryInfo[];
  policy: CreditPolicy;
}

export type SubscriptionTopic = 'progress' | 'health' | 'credits';

export interface SubscriptionInfo {
  channelKey: string;
  projectId: string;
  projectName: string;
  topics: SubscriptionTopic[];
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
  /**
   * Queues a copy run over the project's mappings (matched and create_missing). CONFLICT when a run is active; NOT_SCANNED before a scan.
   * A full run that needs credits is created in pending_approval with a hold (RunInfo.hold) and queues nothing until approved;
   * INSUFFICIENT_CREDITS (details: CreditNeed) when available < need: nothing held, nothing created.
   */
  launchRun(actor: Actor, props: { project: string; mode: Exclude<RunMode, 'scan'>; options?: RunOptions }): Promise<RunInfo>;
  /** What a full run of the project would cost now (admin, approver). */
  creditNeed(actor: Actor, props: { project: string }): Promise<CreditNeed>;
  /** Cancels the active run: queued mailboxes never start, running ones stop at the next item (AbortSignal). */
  cancelRun(actor: Actor, props: { project: string }): Promise<RunInfo>;
  /** The latest mailbox run of a source (or destination) address, across the org's projects unless one is named. */
  mailboxStatus(actor: Actor, props: { address: string; project?: string }): Promise<MailboxProgressInfo>;
  mailboxLog(actor: Actor, props: { address: string; project?: string; page?: number; pageSize?: number }): Promise<MailboxLogPage>;
  /** The verification of the latest finished copy run of a project (or of `runId`). */
  getVerification(actor: Actor, props: { project: string; runId?: string }): Promise<VerificationInfo | null>;

  // — credits (DESIGN §5) —
  /** Balance, available, held, consumed, licenses, expiring soon, latest entries (admin, approver, helpdesk). */
  credits(actor: Actor): Promise<CreditsInfo>;
  /** Adds credits (admin; the CLI operator). BAD_INPUT unless amount is a positive integer ≤ 1,000,000 and a reason is given. */
  grantCredits(actor: Actor, props: { amount: number; reason: string }): Promise<CreditsInfo>;
  /** Newest first. */
  ledger(actor: Actor, props?: { limit?: number; before?: number }): Promise<LedgerEntryInfo[]>;
  /** Every entry, oldest first: `id,at,kind,amount,held_delta,balance_after,hold_id,run_id,project,actor,reason`. */
  exportLedgerCsv(actor: Actor): Promise<string>;
  setCreditPolicy(actor: Actor, policy: Partial<CreditPolicy>): Promise<CreditPolicy>;
  getHold(actor: Actor, holdId: string): Promise<HoldInfo>;
  /** Pending holds of the org, oldest first. */
  listHolds(actor: Actor, props?: { status?: HoldStatus[] }): Promise<HoldInfo[]>;
  /**
   * Approve (→ held, run queued) or reject (→ rejected, run cancelled). Approvers and admins only (FORBIDDEN, audited);
   * the requester only when the org allows self-approval. A hold already decided gives CONFLICT with details { hold: HoldInfo }
   * naming who decided and when. Exactly one of any number of concurrent decisions wins.
   */
  decideHold(actor: Actor, props: { holdId: string; decision: 'approve' | 'reject' }): Promise<HoldInfo>;
  /** Releases undecided holds older than their TTL and cancels their runs; returns how many (the reconciler calls it too). */
  expireHolds(): Promise<number>;

  // — subscriptions —
  subscribe(actor: Actor, props: { project: string; channelKey: string; topics: SubscriptionTopic[] }): Promise<SubscriptionInfo>;
  unsubscribe(actor: Actor, props: { project: string; channelKey: string }): Promise<void>;
  /** Channels subscribed to a topic: of one project, or (credits) of any project of the org. */
  subscribers(props: { orgId: string; topic: SubscriptionTopic; projectId?: string }): Promise<SubscriptionInfo[]>;

  // — Microsoft 365 guided consent (issue 5) —
  /**
   * The admin-consent URL of mailferry's multi-tenant app (M365_CLIENT_ID) for one side of a project; `state` is signed
   * and single-use. CONFIG when M365_CLIENT_ID or MAILFERRY_PUBLIC_URL is not set.
   */
  m365ConsentUrl(actor: Actor, props: { project: string; side: Side }): Promise<{ url: string; permissions: { name: string; why: string }[] }>;
  /**
   * The redirect to /consent/m365/callback: checks state, records the tenant, verifies access by acquiring a token and
   * listing one user, saves the connection. Returns what the browser page and the chat say.
   */
  completeM365Consent(props: { state: string; tenant?: string; adminConsent?: string; error?: string; errorDescription?: string }): Promise<{ project: ProjectInfo; side: Side; connection: ConnectionInfo; channelKey: string }>;
  /** Before a full run: the create_missing mappings whose user does not exist yet, and the destination's license SKUs (createsUsers: the platform needs a usage location and a SKU). */
  createMissingPlan(actor: Actor, props: { project: string }): Promise<CreateMissingPlan>;

  // — chat plumbing the engine stores for the bot —
  /** Remembers how a chat platform addresses a user (Teams: aadObjectId → `29:…` MRI) for HoldInfo.approverChatIds. */
  saveUserAlias(props: { orgId: string; userId: string; alias: string }): Promise<void>;
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
  /** Where connectors reach their platforms (simulators in tests); main.ts fills it from GRAPH_BASE_URL and friends. */
  connectorEnv?: import('./connectors/types.js').ConnectorEnv;
  /** mailferry's multi-tenant Microsoft 365 app for guided consent (M365_CLIENT_ID / M365_CLIENT_SECRET) and MAILFERRY_PUBLIC_URL. */
  m365App?: { clientId: string; clientSecret: string };
  publicUrl?: string;
}
