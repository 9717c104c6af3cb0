import type { HoldInfo } from '../../engine/index.js';
import type { ApprovalDecisionView, ApprovalView, ApprovalsView, ButtonView, CreditLineView, FactView } from '../../cards/views.js';
import type { CreditLine } from '../../engine/index.js';
import { formatCount, formatWhen, plural } from './format.js';

/** An approval card lists 10 mailboxes per page. */
export const HOLD_PAGE_SIZE = 10;
/** Slack names at most this many approvers on the card; the rest are counted. */
const NAMED_APPROVERS = 10;

export function holdSubject(holdId: string): string {
  return `hold:${holdId}`;
}

export function creditLineViews(lines: readonly CreditLine[]): CreditLineView[] {
  return lines.map((l) => ({ address: l.sourceAddress, credits: formatCount(l.credits), reason: l.reason }));
}

export function credits(n: number): string {
  return plural(n, 'credit');
}

function decisionOf(hold: HoldInfo): ApprovalDecisionView | undefined {
  if (hold.status === 'pending_approval') return undefined;
  const who = hold.decidedByName ?? hold.decidedBy;
  const when = formatWhen(hold.decidedAt);
  const outcome = hold.outcome ? { outcome: hold.outcome } : {};
  if (hold.status === 'rejected') return { tone: 'danger', headline: `Rejected by ${who ?? 'an approver'} at ${when}`, ...outcome };
  if (hold.status === 'expired') return { tone: 'warning', headline: `Expired at ${formatWhen(hold.decidedAt ?? hold.expiresAt)}: nobody decided in time`, ...outcome };
  if (who) return { tone: 'success', headline: `Approved by ${who} at ${when}`, ...outcome };
  return { tone: 'warning', headline: 'Cancelled before anyone decided', ...outcome };
}

function factsOf(hold: HoldInfo, pending: boolean): FactView[] {
  const facts: FactView[] = [
    { label: 'Need', value: `${credits(hold.amount)} for ${plural(hold.lines.length, 'mailbox', 'mailboxes')}` },
    { label: 'Available', value: `${formatCount(hold.availableBefore)} → ${formatCount(hold.availableAfter)}` },
  ];
  if (pending) facts.push({ label: 'Expires', value: formatWhen(hold.expiresAt) });
  if (hold.consumed > 0 || hold.released > 0) facts.push({ label: 'Settled', value: `${formatCount(hold.consumed)} consumed · ${formatCount(hold.released)} released` });
  return facts;
}

/** Slack renders `<@U…>` mentions; Teams has no inline mention syntax, so it gets a count. */
function approverText(hold: HoldInfo, platform: 'slack' | 'teams'): string {
  const selfNote = hold.selfApproval ? '' : ' Whoever launched the run cannot approve it.';
  const ids = hold.approverIds;
  if (platform === 'slack') {
    const named = ids.filter((id) => /^[UW][A-Z0-9]+$/.test(id)).slice(0, NAMED_APPROVERS);
    if (named.length) {
      const rest = ids.length - named.length;
      return `Can approve: ${named.map((id) => `<@${id}>`).join(', ')}${rest > 0 ? ` and ${formatCount(rest)} more` : ''}.${selfNote}`;
    }
  }
  const people = ids.length ? ` (${plural(ids.length, 'person', 'people')})` : '';
  return `Only the organisation's approvers and admins${people} can approve or reject.${selfNote}`;
}

function pageButtons(hold: HoldInfo, page: number, pageCount: number): ButtonView[] {
  return [
    ...(page > 0 ? [{ label: 'Previous', verb: 'hold.page', data: { holdId: hold.id, page: page - 1 } }] : []),
    ...(page + 1 < pageCount ? [{ label: 'Next', verb: 'hold.page', data: { holdId: hold.id, page: page + 1 } }] : []),
  ];
}

export interface ApprovalAudience {
  platform: 'slack' | 'teams';
  /**
   * Whether this copy shows Approve / Reject. Slack: one message for everyone, so yes (the server
   * re-checks every click). Teams: the base card no; a refresh answers approvers with yes.
   */
  canDecide: boolean;
  page?: number;
}

export function presentApproval(hold: HoldInfo, audience: ApprovalAudience): ApprovalView {
  const pending = hold.status === 'pending_approval';
  const pageCount = Math.max(1, Math.ceil(hold.lines.length / HOLD_PAGE_SIZE));
  const page = Math.min(Math.max(0, audience.page ?? 0), pageCount - 1);
  const lines = hold.lines.slice(page * HOLD_PAGE_SIZE, (page + 1) * HOLD_PAGE_SIZE);
  const decision = decisionOf(hold);
  const decide: ButtonView[] = pending && audience.canDecide
    ? [
        { label: 'Approve', verb: 'hold.approve', data: { holdId: hold.id }, style: 'primary' },
        { label: 'Reject', verb: 'hold.reject', data: { holdId: hold.id }, style: 'danger' },
      ]
    : [];
  return {
    kind: 'approval',
    holdId: hold.id,
    projectName: hold.projectName,
    modeLabel: 'Full run',
    requestedBy: hold.requestedByName || hold.requestedBy,
    facts: factsOf(hold, pending),
    lines: creditLineViews(lines),
    page,
    pageCount,
    more: Math.max(0, hold.lines.length - page * HOLD_PAGE_SIZE - lines.length),
    approverText: approverText(hold, audience.platform),
    ...(decision ? { decision } : {}),
    actions: decision ? [] : [...decide, ...pageButtons(hold, page, pageCount)],
    ...(audience.platform === 'teams' && pending
      ? { refresh: { verb: 'hold.refresh', data: { holdId: hold.id }, userIds: hold.approverChatIds.slice(0, 60) } }
      : {}),
    footer: `Requested by ${hold.requestedByName || hold.requestedBy} at ${formatWhen(hold.createdAt)} · page ${page + 1} of ${pageCount} · hold ${hold.id.slice(0, 8)}`,
  };
}

/** "3 h ago", "2 d ago", "just now". */
export function ageOf(iso: string, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - new Date(iso).getTime()) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

export const APPROVALS_LIMIT = 20;

export function presentApprovals(holds: readonly HoldInfo[], now = new Date()): ApprovalsView {
  const shown = holds.slice(0, APPROVALS_LIMIT);
  return {
    kind: 'approvals',
    holds: shown.map((h) => ({
      holdId: h.id,
      projectName: h.projectName,
      need: `${credits(h.amount)} for ${plural(h.lines.length, 'mailbox', 'mailboxes')}`,
      requestedBy: h.requestedByName || h.requestedBy,
      age: `${ageOf(h.createdAt, now)} · expires ${formatWhen(h.expiresAt)}`,
      action: { label: 'Open', verb: 'hold.open', data: { holdId: h.id } },
    })),
    more: holds.length - shown.length,
  };
}
