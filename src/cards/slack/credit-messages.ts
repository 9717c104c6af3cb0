import type { ApprovalView, ApprovalsView, CreditLineView, CreditsView, ShortfallView } from '../views.js';
import { toneEmoji } from '../status.js';
import { moreLine } from '../text.js';
import {
  ActionIds, actionBlocks, button, context, divider, esc, factSections, header, lineSections, section, type SlackBlock,
} from './blocks.js';

/** Block Kit for the credit messages: approval, shortfall, the org's credits, pending approvals. */

const LINE_LIMIT = 10;

function creditLines(lines: readonly CreditLineView[], alreadyMore: number): SlackBlock[] {
  const shown = lines.slice(0, LINE_LIMIT).map((l) => `*${esc(l.address)}* · ${esc(l.credits)} · _${esc(l.reason)}_`);
  const packed = lineSections(shown, 2);
  const more = moreLine(packed.left + lines.length - Math.min(lines.length, LINE_LIMIT) + alreadyMore, 'more mailboxes');
  return [...(packed.blocks.length ? [divider(), ...packed.blocks] : []), ...(more ? [context(more)] : [])];
}

export function approvalBlocks(view: ApprovalView, ids: ActionIds): SlackBlock[] {
  const d = view.decision;
  const state = d
    ? `${toneEmoji[d.tone]} *${esc(d.headline)}*${d.outcome ? `\n${esc(d.outcome)}` : ''}`
    : `⏳ *Waiting for an approver* · requested by ${esc(view.requestedBy)}`;
  return [
    header(`Approval · ${view.modeLabel} · ${view.projectName}`),
    section(state),
    ...factSections(view.facts),
    ...creditLines(view.lines, view.more),
    // Mentions in approverText are built by the presenter from platform ids; it is not user text.
    ...(d ? [] : [context(view.approverText)]),
    context(esc(view.footer)),
    ...(d ? [] : actionBlocks(view.actions, ids)),
  ];
}

export function shortfallBlocks(view: ShortfallView): SlackBlock[] {
  return [
    section(`${toneEmoji.danger} *Not enough credits for a full run of ${esc(view.projectName)}*\nNothing was held and no run was queued.`),
    ...factSections(view.facts),
    ...creditLines(view.lines, view.more),
    section(`*What to do next*\n${view.nextSteps.slice(0, 5).map((s) => `• ${esc(s)}`).join('\n')}`),
  ];
}

export function creditsBlocks(view: CreditsView, ids: ActionIds): SlackBlock[] {
  const expiring = lineSections(view.expiring.slice(0, 20).map((e) => `*${esc(e.address)}* · ${esc(e.text)}`), 2);
  const expMore = moreLine(expiring.left + Math.max(0, view.expiring.length - 20) + view.expiringMore, 'more licenses');
  const recent = view.recent.slice(0, 10).map((r) => `\`${esc(r.amount)}\` ${esc(r.text)} · _${esc(r.when)}_`);
  return [
    header(`Credits · ${view.orgName}`),
    ...factSections(view.facts),
    ...(expiring.blocks.length ? [section('*Licenses expiring within 30 days*'), ...expiring.blocks] : []),
    ...(expMore ? [context(expMore)] : []),
    divider(),
    section('*Latest ledger entries*'),
    ...(recent.length ? lineSections(recent, 2).blocks : [context('No ledger entries yet: an admin grants credits with the operator CLI.')]),
    ...actionBlocks(view.actions, ids),
  ];
}

export function approvalsBlocks(view: ApprovalsView, ids: ActionIds): SlackBlock[] {
  const holds = view.holds.slice(0, 20);
  const more = moreLine(view.holds.length - holds.length + view.more, 'more waiting');
  return [
    header('Approvals'),
    ...(holds.length
      ? holds.map((h) => section(`*${esc(h.projectName)}* · ${esc(h.need)}\nRequested by ${esc(h.requestedBy)} · ${esc(h.age)}`, button(h.action, ids)))
      : [section('✅ Nothing is waiting for an approver.')]),
    ...(more ? [context(more)] : []),
  ];
}
