import { sql } from 'drizzle-orm';
import {
  bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * One schema for PGlite and PostgreSQL. Ids are text (prefixed random ids: `prj_…`), times are
 * timestamptz, counts that can pass 2^31 are bigint in number mode.
 */
const id = () => text('id').primaryKey();
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const orgs = pgTable('orgs', {
  /** `local`, `slack:<team_id>` or `teams:<tenant_id>`. */
  id: id(),
  name: text('name').notNull(),
  /** Whether a launcher may approve their own credit hold. */
  selfApproval: boolean('self_approval').notNull().default(false),
  /** Licensing rules that differ from the DESIGN §5 defaults (CreditPolicy of api.ts minus selfApproval). */
  creditPolicy: jsonb('credit_policy').$type<Record<string, number | boolean>>().notNull().default({}),
  createdAt: createdAt(),
});

export const roles = pgTable('roles', {
  orgId: text('org_id').notNull().references(() => orgs.id),
  /** Platform user id (Slack `U…`, Teams aadObjectId or `29:…` id, `cli:<user>`). */
  userId: text('user_id').notNull(),
  role: text('role', { enum: ['admin', 'approver', 'helpdesk'] }).notNull(),
  grantedBy: text('granted_by').notNull(),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.orgId, t.userId, t.role] })]);

export const projects = pgTable('projects', {
  id: id(),
  orgId: text('org_id').notNull().references(() => orgs.id),
  name: text('name').notNull(),
  sourcePlatform: text('source_platform').notNull(),
  destinationPlatform: text('destination_platform').notNull(),
  /** Where it was created: `slack:<channel>` / `teams:<conversation id>` / `cli`. */
  channelKey: text('channel_key').notNull(),
  /** Source domain → destination domain, for matching (`{"old.example": "new.example"}`). */
  domainMap: jsonb('domain_map').$type<Record<string, string>>().notNull().default({}),
  createdBy: text('created_by').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [uniqueIndex('projects_org_name').on(t.orgId, sql`lower(${t.name})`)]);

export const connections = pgTable('connections', {
  id: id(),
  projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
  side: text('side', { enum: ['source', 'destination'] }).notNull(),
  platform: text('platform').notNull(),
  /** AES-256-GCM of the ConnectionSettings JSON: base64(iv | tag | ciphertext). */
  secret: text('secret').notNull(),
  /** Non-secret facts for cards (host, tenant id, number of accounts). */
  summary: text('summary').notNull(),
  status: text('status', { enum: ['valid', 'invalid'] }).notNull(),
  validatedAt: timestamp('validated_at', { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [uniqueIndex('connections_project_side').on(t.projectId, t.side)]);

export const mailboxes = pgTable('mailboxes', {
  id: id(),
  projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
  side: text('side', { enum: ['source', 'destination'] }).notNull(),
  /** The platform's immutable identity (see connectors/types.ts MailboxRef.id). */
  externalId: text('external_id').notNull(),
  address: text('address').notNull(),
  displayName: text('display_name').notNull(),
  kind: text('kind').notNull(),
  folders: integer('folders'),
  mail: bigint('mail', { mode: 'number' }),
  events: bigint('events', { mode: 'number' }),
  contacts: bigint('contacts', { mode: 'number' }),
  bytes: bigint('bytes', { mode: 'number' }),
  scanError: text('scan_error'),
  /** The scan run that last saw it; mailboxes not seen by the latest scan are gone. */
  lastScanRunId: text('last_scan_run_id'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('mailboxes_project_side_external').on(t.projectId, t.side, t.externalId),
  index('mailboxes_project_side_address').on(t.projectId, t.side, t.address),
]);

export const mappings = pgTable('mappings', {
  id: id(),
  projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
  sourceMailboxId: text('source_mailbox_id').notNull().references(() => mailboxes.id, { onDelete: 'cascade' }),
  destinationMailboxId: text('destination_mailbox_id').references(() => mailboxes.id, { onDelete: 'set null' }),
  /** For create_missing (and before the destination exists): the address to create or use. */
  destinationAddress: text('destination_address'),
  status: text('status', { enum: ['matched', 'needs_review', 'excluded', 'create_missing'] }).notNull(),
  /** 0..1; 1 for an exact address match or a human decision. */
  confidence: real('confidence').notNull(),
  /** Why it was suggested or flagged ("same address", "ambiguous: 2 candidates", "no destination"). */
  reason: text('reason').notNull(),
  /** `auto` or the user id that changed it last. */
  changedBy: text('changed_by').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [uniqueIndex('mappings_project_source').on(t.projectId, t.sourceMailboxId)]);

export const runs = pgTable('runs', {
  id: id(),
  projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
  mode: text('mode', { enum: ['scan', 'structure', 'full', 'delta', 'retry'] }).notNull(),
  status: text('status', { enum: ['pending_approval', 'queued', 'running', 'completed', 'failed', 'cancelled'] }).notNull(),
  /** Live totals, updated as mailbox runs checkpoint (JSON so modes can differ). */
  progress: jsonb('progress').$type<Record<string, number>>().notNull().default({}),
  /** Copy runs: what a full run moves (RunOptions of api.ts); {} otherwise. */
  options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
  /** Result summary when finished (scan: totals, largest mailbox, predicted duration; copy: { verification }). */
  summary: jsonb('summary').$type<Record<string, unknown>>(),
  error: text('error'),
  startedBy: text('started_by').notNull(),
  /** Who started it as people read it (Actor.userName; `cli:<user>` from the CLI). Null on runs stored before names were. */
  startedByName: text('started_by_name'),
  createdAt: createdAt(),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
}, (t) => [
  index('runs_project').on(t.projectId, t.createdAt),
  // At most one active run per project: two concurrent launches give one run.
  uniqueIndex('runs_one_active_per_project').on(t.projectId).where(sql`status in ('pending_approval', 'queued', 'running')`),
]);

export const mailboxRuns = pgTable('mailbox_runs', {
  id: id(),
  runId: text('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
  /** Scan: the scanned mailbox; copy modes: the mapping's source mailbox. */
  mailboxId: text('mailbox_id').notNull().references(() => mailboxes.id, { onDelete: 'cascade' }),
  mappingId: text('mapping_id').references(() => mappings.id, { onDelete: 'set null' }),
  status: text('status', { enum: ['pending', 'running', 'completed', 'failed', 'cancelled'] }).notNull(),
  health: text('health', { enum: ['healthy', 'throttled_source', 'throttled_destination', 'degraded', 'stalled', 'failed'] }).notNull().default('healthy'),
  healthReason: text('health_reason'),
  itemsTotal: bigint('items_total', { mode: 'number' }).notNull().default(0),
  itemsDone: bigint('items_done', { mode: 'number' }).notNull().default(0),
  itemsFailed: bigint('items_failed', { mode: 'number' }).notNull().default(0),
  bytesDone: bigint('bytes_done', { mode: 'number' }).notNull().default(0),
  attempts: integer('attempts').notNull().default(0),
  /** Full runs: when this mailbox's first written item was charged (set once; the charge is idempotent on it). */
  chargedAt: timestamp('charged_at', { withTimezone: true }),
  error: text('error'),
  startedAt: timestamp('started_at', { withTimezone: true }),
  lastProgressAt: timestamp('last_progress_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  /**
   * Copy modes: this mailbox's verification (VerificationInfo's mailbox entry), checked by the attempt
   * that completed it. SQL NULL until then (cleared when an attempt starts); JSON null when that check
   * could not be made. Without a check, the finalizer checks the mailbox itself.
   */
  verification: jsonb('verification'),
}, (t) => [uniqueIndex('mailbox_runs_run_mailbox').on(t.runId, t.mailboxId), index('mailbox_runs_status').on(t.runId, t.status)]);

export const mailboxRunEvents = pgTable('mailbox_run_events', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  mailboxRunId: text('mailbox_run_id').notNull().references(() => mailboxRuns.id, { onDelete: 'cascade' }),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  level: text('level', { enum: ['info', 'warn', 'error'] }).notNull(),
  message: text('message').notNull(),
}, (t) => [index('mailbox_run_events_run').on(t.mailboxRunId, t.id)]);

/**
 * The item ledger: every item copied, source key → destination key + content hash. A key is only
 * unique inside its source folder (IMAP `uidvalidity:uid` repeats across folders), so the folder is
 * part of the identity. Written in the same transaction as the mailbox run's counters.
 */
export const itemLedger = pgTable('item_ledger', {
  mappingId: text('mapping_id').notNull().references(() => mappings.id, { onDelete: 'cascade' }),
  sourceFolderKey: text('source_folder_key').notNull(),
  sourceItemKey: text('source_item_key').notNull(),
  destinationFolderKey: text('destination_folder_key').notNull(),
  destinationItemKey: text('destination_item_key').notNull(),
  contentHash: text('content_hash').notNull(),
  bytes: bigint('bytes', { mode: 'number' }).notNull().default(0),
  runId: text('run_id').notNull(),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.mappingId, t.sourceFolderKey, t.sourceItemKey] })]);

/** Items about to be written: a row left behind by a crash means "probe the destination before writing again". */
export const writeIntents = pgTable('write_intents', {
  mappingId: text('mapping_id').notNull().references(() => mappings.id, { onDelete: 'cascade' }),
  sourceFolderKey: text('source_folder_key').notNull(),
  sourceItemKey: text('source_item_key').notNull(),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.mappingId, t.sourceFolderKey, t.sourceItemKey] })]);

/** Where the last pass over a source folder stopped, and the destination folder it lands in. */
export const folderCursors = pgTable('folder_cursors', {
  mappingId: text('mapping_id').notNull().references(() => mappings.id, { onDelete: 'cascade' }),
  sourceFolderKey: text('source_folder_key').notNull(),
  destinationFolderKey: text('destination_folder_key').notNull(),
  cursor: text('cursor'),
  /** The run that stored the cursor: a full run resumes only from its own cursors. */
  runId: text('run_id').notNull(),
  updatedAt: updatedAt(),
}, (t) => [primaryKey({ columns: [t.mappingId, t.sourceFolderKey] })]);

/** Items that failed permanently (too big, rejected); retry runs re-attempt the unresolved ones. */
export const itemFailures = pgTable('item_failures', {
  mappingId: text('mapping_id').notNull().references(() => mappings.id, { onDelete: 'cascade' }),
  sourceFolderKey: text('source_folder_key').notNull(),
  sourceItemKey: text('source_item_key').notNull(),
  reason: text('reason').notNull(),
  attempts: integer('attempts').notNull().default(1),
  resolved: boolean('resolved').notNull().default(false),
  runId: text('run_id').notNull(),
  updatedAt: updatedAt(),
}, (t) => [primaryKey({ columns: [t.mappingId, t.sourceFolderKey, t.sourceItemKey] }), index('item_failures_open').on(t.mappingId, t.resolved)]);

export const auditEvents = pgTable('audit_events', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  orgId: text('org_id').notNull(),
  actor: text('actor').notNull(),
  /** `command:scan`, `action:mapping.exclude`, `connection.saved`, … */
  action: text('action').notNull(),
  outcome: text('outcome', { enum: ['allowed', 'denied', 'failed'] }).notNull(),
  projectId: text('project_id'),
  detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('audit_events_org').on(t.orgId, t.at)]);

/** Where to send proactive messages: one row per chat channel/conversation. */
export const conversationRefs = pgTable('conversation_refs', {
  /** `slack:<team>:<channel>` or `teams:<conversation id>`. */
  channelKey: text('channel_key').primaryKey(),
  orgId: text('org_id').notNull(),
  platform: text('platform', { enum: ['slack', 'teams'] }).notNull(),
  /** Platform data needed to post there later (Teams ConversationReference; Slack channel id). */
  reference: jsonb('reference').$type<Record<string, unknown>>().notNull(),
  updatedAt: updatedAt(),
});

/** Cards we posted and keep editing (the living scan/run card, approval cards). */
export const postedCards = pgTable('posted_cards', {
  id: id(),
  channelKey: text('channel_key').notNull(),
  /** What the card shows: `run:<runId>`, `hold:<holdId>`. One living card per subject and channel. */
  subject: text('subject').notNull(),
  /** Platform message id (Slack ts, Teams activity id). */
  messageRef: text('message_ref').notNull(),
  lastRenderedAt: timestamp('last_rendered_at', { withTimezone: true }),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('posted_cards_subject_channel').on(t.subject, t.channelKey)]);

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
});

/**
 * An org's prepaid credits. balance and held are running totals of credit_ledger (amount and
 * held_delta); the checks make "never negative" a database fact, not a hope.
 */
export const creditAccounts = pgTable('credit_accounts', {
  orgId: text('org_id').primaryKey().references(() => orgs.id),
  balance: integer('balance').notNull().default(0),
  held: integer('held').notNull().default(0),
  /** All-time consumed credits. */
  consumed: integer('consumed').notNull().default(0),
  updatedAt: updatedAt(),
}, (t) => [
  check('credit_accounts_balance_nonnegative', sql`${t.balance} >= 0`),
  check('credit_accounts_held_nonnegative', sql`${t.held} >= 0`),
  check('credit_accounts_available_nonnegative', sql`${t.balance} - ${t.held} >= 0`),
]);

/** Every change of an account: amount = effect on balance, held_delta = effect on held. */
export const creditLedger = pgTable('credit_ledger', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  orgId: text('org_id').notNull().references(() => orgs.id),
  kind: text('kind', { enum: ['grant', 'hold', 'release', 'consume', 'expire'] }).notNull(),
  amount: integer('amount').notNull(),
  heldDelta: integer('held_delta').notNull(),
  balanceAfter: integer('balance_after').notNull(),
  holdId: text('hold_id'),
  runId: text('run_id'),
  projectId: text('project_id'),
  projectName: text('project_name'),
  actor: text('actor').notNull(),
  reason: text('reason').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('credit_ledger_org').on(t.orgId, t.id)]);

/** Credits reserved for one full run; one hold per run. */
export const creditHolds = pgTable('credit_holds', {
  id: id(),
  orgId: text('org_id').notNull().references(() => orgs.id),
  projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
  runId: text('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
  status: text('status', { enum: ['pending_approval', 'held', 'consumed', 'released', 'rejected', 'expired'] }).notNull(),
  amount: integer('amount').notNull(),
  consumed: integer('consumed').notNull().default(0),
  released: integer('released').notNull().default(0),
  availableBefore: integer('available_before').notNull(),
  availableAfter: integer('available_after').notNull(),
  requestedBy: text('requested_by').notNull(),
  requestedByName: text('requested_by_name').notNull(),
  decidedBy: text('decided_by'),
  decidedByName: text('decided_by_name'),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  outcome: text('outcome'),
  /** CreditLine[] of api.ts as computed at launch. */
  lines: jsonb('lines').$type<unknown[]>().notNull().default([]),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
}, (t) => [
  uniqueIndex('credit_holds_run').on(t.runId),
  index('credit_holds_org_status').on(t.orgId, t.status),
  check('credit_holds_parts', sql`${t.consumed} >= 0 and ${t.released} >= 0 and ${t.consumed} + ${t.released} <= ${t.amount}`),
]);

/**
 * A consumed credit for one source mailbox identity (mailboxes.external_id; `public_folders:<project>`
 * for public folders). One row per org and identity: an expired one is renewed in place when charged again.
 */
export const licenses = pgTable('licenses', {
  id: id(),
  orgId: text('org_id').notNull().references(() => orgs.id),
  identity: text('identity').notNull(),
  kind: text('kind').notNull(),
  sourceAddress: text('source_address').notNull(),
  projectId: text('project_id'),
  projectName: text('project_name').notNull(),
  runId: text('run_id'),
  credits: integer('credits').notNull(),
  consumedAt: timestamp('consumed_at', { withTimezone: true }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
}, (t) => [uniqueIndex('licenses_org_identity').on(t.orgId, t.identity), index('licenses_org_expires').on(t.orgId, t.expiresAt)]);

/** Channels that follow a project's progress, health or the org's credits. */
export const subscriptions = pgTable('subscriptions', {
  projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
  channelKey: text('channel_key').notNull(),
  orgId: text('org_id').notNull(),
  topics: jsonb('topics').$type<string[]>().notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.projectId, t.channelKey] }), index('subscriptions_org').on(t.orgId)]);

export const schema = {
  orgs, roles, projects, connections, mailboxes, mappings, runs, mailboxRuns, mailboxRunEvents,
  itemLedger, writeIntents, folderCursors, itemFailures, auditEvents, conversationRefs, postedCards, settings,
  creditAccounts, creditLedger, creditHolds, licenses, subscriptions,
};
