import type { ApprovalView, ApprovalsView, CreditLineView, CreditsView, ShortfallView } from '../views.js';
import { toneEmoji } from '../status.js';
import { moreLine, truncate } from '../text.js';
import { teamsAction, teamsActions } from './actions.js';
import { toneStyle } from './card-data.js';

/** Template data for the credit cards: approval, shortfall, the org's credits, pending approvals. */

/** A card shows at most one page of mailboxes (the presenter pages them by 10). */
const LINE_LIMIT = 10;

function lineData(lines: readonly CreditLineView[]) {
  return lines.slice(0, LINE_LIMIT).map((l) => ({ address: truncate(l.address, 200), credits: l.credits, reason: truncate(l.reason, 200) }));
}

export function approvalData(view: ApprovalView) {
  const d = view.decision;
  const shown = Math.min(view.lines.length, LINE_LIMIT);
  return {
    heading: `Approval · ${view.modeLabel} · ${view.projectName}`,
    stateStyle: d ? toneStyle[d.tone] : 'emphasis',
    stateText: d ? `${toneEmoji[d.tone]} ${d.headline}` : `⏳ Waiting for an approver · requested by ${view.requestedBy}`,
    outcome: d?.outcome ?? '',
    facts: view.facts.slice(0, 10),
    lines: lineData(view.lines),
    moreText: moreLine(view.lines.length - shown + view.more, 'more mailboxes') ?? '',
    approverText: d ? '' : view.approverText,
    footer: view.footer,
    actions: teamsActions(d ? [] : view.actions),
  };
}

export function shortfallData(view: ShortfallView) {
  const shown = Math.min(view.lines.length, LINE_LIMIT);
  return {
    heading: `${toneEmoji.danger} Not enough credits for a full run of ${view.projectName}`,
    facts: view.facts.slice(0, 10),
    lines: lineData(view.lines),
    moreText: moreLine(view.lines.length - shown + view.more, 'more mailboxes') ?? '',
    nextSteps: view.nextSteps.slice(0, 5).map((text) => ({ text: truncate(text, 500) })),
  };
}

export function creditsData(view: CreditsView) {
  const expiring = view.expiring.slice(0, 20);
  return {
    heading: `Credits · ${view.orgName}`,
    facts: view.facts.slice(0, 10),
    expiring: expiring.map((e) => ({ address: truncate(e.address, 200), text: e.text })),
    expiringMore: moreLine(view.expiring.length - expiring.length + view.expiringMore, 'more licenses') ?? '',
    recent: view.recent.slice(0, 10).map((r) => ({ when: r.when, amount: r.amount, text: truncate(r.text, 400) })),
    actions: teamsActions(view.actions),
  };
}

export function approvalsData(view: ApprovalsView) {
  const holds = view.holds.slice(0, 20);
  return {
    holds: holds.map((h) => ({ projectName: h.projectName, need: h.need, requestedBy: h.requestedBy, age: h.age, action: teamsAction(h.action) })),
    moreText: moreLine(view.holds.length - holds.length + view.more, 'more waiting') ?? '',
  };
}
