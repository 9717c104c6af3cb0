/** View models of credits and approvals (issue 4): approval, shortfall, the org's credits, pending approvals. */
import type { ButtonView, FactView, Tone } from './views.js';

/** One mailbox of a credit need: what it costs and why. */
export interface CreditLineView {
  address: string;
  /** "1", "0", "25". */
  credits: string;
  /** "unlicensed", "resource mailbox: free", "licensed until 2027-11-24". */
  reason: string;
}

/** How an approval card ended (absent while it waits for a decision). */
export interface ApprovalDecisionView {
  tone: Tone;
  /** "Approved by Megan Bowen at 2026-11-24 07:40 UTC". */
  headline: string;
  /** The engine's outcome sentence ("run finished: 3 consumed, 2 released"), if any. */
  outcome?: string;
}

/**
 * A hold waiting for an approver (DESIGN §5), then its decision. Teams: the base card is read-only
 * and `refresh` gives the approvers (≤ 60) a live copy with the buttons.
 */
export interface ApprovalView {
  kind: 'approval';
  holdId: string;
  projectName: string;
  /** "Full run". */
  modeLabel: string;
  requestedBy: string;
  /** Need, available before → after, expires at (or decided at). */
  facts: FactView[];
  /** This page of the covered mailboxes (10 per page). */
  lines: CreditLineView[];
  page: number;
  pageCount: number;
  /** Mailboxes after this page ("…and N more"). */
  more: number;
  /** Who can decide ("Approvers and admins (3 people) can approve…"). */
  approverText: string;
  decision?: ApprovalDecisionView;
  /** Approve / Reject (only for someone who may decide, only while pending) and page buttons. */
  actions: ButtonView[];
  /** Teams only: the Action.Execute refresh and who gets it automatically. */
  refresh?: { verb: string; data: Record<string, string | number | boolean>; userIds: string[] };
  footer: string;
}

/** A full run refused for lack of credits: nothing was held or queued. */
export interface ShortfallView {
  kind: 'shortfall';
  projectName: string;
  facts: FactView[];
  lines: CreditLineView[];
  more: number;
  /** What to do next, one sentence each. */
  nextSteps: string[];
}

/** The org's credits (`credits`). */
export interface CreditsView {
  kind: 'credits';
  orgName: string;
  /** Balance, available, held, consumed, licenses, pending approvals. */
  facts: FactView[];
  expiring: { address: string; text: string }[];
  expiringMore: number;
  /** Latest ledger entries, newest first: "+100 · grant · Q4 purchase · by Alex". */
  recent: { when: string; amount: string; text: string }[];
  actions: ButtonView[];
}

/** Holds waiting for a decision (`approvals`). */
export interface ApprovalsView {
  kind: 'approvals';
  holds: { holdId: string; projectName: string; need: string; requestedBy: string; age: string; action: ButtonView }[];
  more: number;
}
