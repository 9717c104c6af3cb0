/**
 * View models: everything a card shows, as plain data. Presenters (src/bot/presenters) build them
 * from engine results; renderers (teams/, slack/) turn them into Adaptive Cards 1.5 or Block Kit.
 * Nothing here knows either platform.
 */

import type { M365ConnectView } from './views-m365.js';
export type { M365ConnectView } from './views-m365.js';
import type { ApprovalView, ApprovalsView, CreditsView, ShortfallView } from './views-credits.js';
export type { ApprovalDecisionView, ApprovalView, ApprovalsView, CreditLineView, CreditsView, ShortfallView } from './views-credits.js';

export type Tone = 'info' | 'success' | 'warning' | 'danger';

/** A button. `data` travels back with the click and is validated by cards/verbs.ts. */
export interface ButtonView {
  label: string;
  verb: string;
  data: Record<string, string | number | boolean>;
  style?: 'primary' | 'danger';
}

export interface FactView {
  label: string;
  value: string;
}

export interface FormFieldView {
  /** Input id; the submitted value arrives under this key. */
  id: string;
  label: string;
  type: 'text' | 'password' | 'number' | 'multiline' | 'select' | 'toggle';
  required?: boolean;
  placeholder?: string;
  /** Pre-filled value (never a secret). */
  value?: string;
  options?: { value: string; label: string }[];
  hint?: string;
  /** Set when a previous submission of this field was wrong. */
  error?: string;
}

export interface HelpView {
  kind: 'help';
  /** What was wrong with the input that led here ("Unknown command “sacn”."), if anything. */
  problem?: string;
  commands: { usage: string; description: string }[];
}

export interface ErrorView {
  kind: 'error';
  title: string;
  message: string;
  /** Stable AppError code, shown small for support. */
  code: string;
  /** Facts such as per-mailbox problems. */
  details?: string[];
  actions?: ButtonView[];
}

export interface RefusalView {
  kind: 'refusal';
  /** What was attempted, e.g. "scan a project". */
  action: string;
  /** The roles that would allow it. */
  allowedRoles: string[];
  yourRoles: string[];
}

export interface NoticeView {
  kind: 'notice';
  tone: Tone;
  title: string;
  text?: string;
  facts?: FactView[];
  actions?: ButtonView[];
}

/** A form: a Slack modal or a Teams card with inputs. Submit sends `{verb, ...data, ...inputs}`. */
export interface FormView {
  kind: 'form';
  title: string;
  intro?: string;
  fields: FormFieldView[];
  submit: { label: string; verb: string; data: Record<string, string | number | boolean> };
  /** A general error above the fields. */
  error?: string;
}

export interface ConnectionStateView {
  side: 'source' | 'destination';
  platform: string;
  platformLabel: string;
  /** "connected", "not connected", "invalid". */
  state: 'connected' | 'missing' | 'invalid';
  summary?: string;
}

export interface ProjectView {
  kind: 'project';
  projectId: string;
  name: string;
  sourceLabel: string;
  destinationLabel: string;
  createdBy: string;
  connections: ConnectionStateView[];
  /** Scan totals when a scan completed. */
  facts: FactView[];
  /** The next step in words ("Connect the destination: /migrate connect acme"). */
  nextStep: string;
  actions: ButtonView[];
  title?: string;
}

export interface ProjectListView {
  kind: 'project_list';
  projects: { name: string; route: string; stage: string; createdAt: string }[];
  /** How many more exist beyond those shown. */
  more: number;
}

export interface ConnectResultView {
  kind: 'connect_result';
  projectName: string;
  side: 'source' | 'destination';
  ok: boolean;
  summary: string;
  problems: string[];
  actions: ButtonView[];
}

export interface ScanMailboxRowView {
  side: 'source' | 'destination';
  address: string;
  kindLabel: string;
  state: 'pending' | 'scanning' | 'done' | 'failed';
  /** "1,234 items · 45.2 MB · 12 folders" or the error. */
  text: string;
}

export interface ScanView {
  kind: 'scan';
  projectName: string;
  runId: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  /** 0..100 */
  percent: number;
  progressText: string;
  /** Source/destination totals, largest mailbox, predicted duration… */
  facts: FactView[];
  /** A page of mailbox rows (busiest/failed first); `more` counts the rest. */
  rows: ScanMailboxRowView[];
  more: number;
  error?: string;
  /** Who started the scan, by name. */
  startedBy: string;
  actions: ButtonView[];
  updatedAt: string;
}

export interface MatchRowView {
  mappingId: string;
  sourceAddress: string;
  sourceKindLabel: string;
  destinationAddress: string | null;
  status: 'matched' | 'needs_review' | 'excluded' | 'create_missing';
  statusLabel: string;
  confidencePercent: number;
  reason: string;
  /** Addresses offered for an override (≤ 100, a select). */
  candidates: string[];
}

export interface MatchReviewView {
  kind: 'match_review';
  projectId: string;
  projectName: string;
  filter: 'needs_review' | 'all';
  page: number;
  pageCount: number;
  counts: { matched: number; needs_review: number; excluded: number; create_missing: number; total: number };
  rows: MatchRowView[];
  /** Rows beyond this page (for "…and N more"). */
  more: number;
  actions: ButtonView[];
  /** A line about the last change ("alice@… excluded by Alex"). */
  notice?: string;
}

export interface RolesView {
  kind: 'roles';
  entries: { user: string; role: string; grantedBy: string }[];
  usage: string;
  notice?: string;
}

export interface StatusView {
  kind: 'status';
  projectName: string;
  stage: string;
  facts: FactView[];
  latestRuns: { mode: string; status: string; when: string; text: string }[];
  actions: ButtonView[];
}

export type RunModeLabel = 'structure' | 'full' | 'delta' | 'retry';

/** Health of one mailbox copy, as both renderers mark it. */
export type MailboxHealthView = 'healthy' | 'throttled' | 'degraded' | 'stalled' | 'failed' | 'done' | 'pending' | 'cancelled';

/** One of the busiest or unhealthy mailboxes on a run card. */
export interface RunMailboxRowView {
  address: string;
  health: MailboxHealthView;
  /** "1,234 / 5,000 items · 45.2 MB", or the reason first: "Throttled by destination — retrying in 30 s · 1,234 / 5,000 items". */
  text: string;
}

/** The verification summary shown on a finished run card. */
export interface RunVerificationSummaryView {
  consistencyPercent: number;
  /** "All 12,400 items verified." / "37 items missing in 2 mailboxes." */
  text: string;
  missing: number;
}

/** The living card of a copy run (structure, full, delta, retry), edited in place. */
export interface RunView {
  kind: 'run';
  projectName: string;
  runId: string;
  mode: RunModeLabel;
  status: 'pending_approval' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  /** 0..100 */
  percent: number;
  progressText: string;
  /** Mailboxes done/failed/total, items and bytes moved, items/min… */
  facts: FactView[];
  /** At most 10: unhealthy first with their reasons, then the running ones moving the most items now. */
  rows: RunMailboxRowView[];
  /** Mailboxes not shown in `rows` that are still worth a look. */
  more: number;
  verification?: RunVerificationSummaryView;
  error?: string;
  /** Who launched the run, by name (a display name, or `cli:<user>`). */
  startedBy: string;
  actions: ButtonView[];
  updatedAt: string;
}

/** One mailbox's copy progress (`/migrate status <address>`, answered privately). */
export interface MailboxStatusView {
  kind: 'mailbox_status';
  address: string;
  destinationAddress: string | null;
  projectName: string;
  mode: string;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
  health: MailboxHealthView;
  /** Health in words with its reason: "Throttled by destination — retrying in 30 s". */
  healthText: string;
  percent: number;
  facts: FactView[];
  error?: string;
  actions: ButtonView[];
  updatedAt: string;
}

/** A page of one mailbox's chronological event log. */
export interface MailboxLogView {
  kind: 'mailbox_log';
  address: string;
  projectName: string;
  entries: { at: string; level: 'info' | 'warn' | 'error'; message: string }[];
  page: number;
  pageCount: number;
  total: number;
  /** Previous / Next (verb mailbox.log). */
  actions: ButtonView[];
}

/** The verification pass of a run: per mailbox and folder, source vs destination vs ledger. */
export interface VerificationView {
  kind: 'verification';
  projectName: string;
  runId: string;
  consistencyPercent: number;
  summary: string;
  /** Folders with something missing first; `more` counts the rest. */
  rows: { mailbox: string; folder: string; source: number; destination: number; ledger: number; missing: number }[];
  more: number;
  actions: ButtonView[];
}


export type View =
  | M365ConnectView
  | HelpView
  | ErrorView
  | RefusalView
  | NoticeView
  | FormView
  | ProjectView
  | ProjectListView
  | ConnectResultView
  | ScanView
  | MatchReviewView
  | RolesView
  | StatusView
  | RunView
  | MailboxStatusView
  | MailboxLogView
  | VerificationView
  | ApprovalView
  | ShortfallView
  | CreditsView
  | ApprovalsView;

export type ViewKind = View['kind'];
