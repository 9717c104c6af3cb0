import type { CreditNeed, CreditsInfo, LedgerEntryInfo } from '../../engine/index.js';
import type { CreditsView, ShortfallView } from '../../cards/views.js';
import { HOLD_PAGE_SIZE, creditLineViews, credits } from './approval.js';
import { commandArg, formatCount, formatWhen, plural } from './format.js';

function signed(n: number): string {
  if (n > 0) return `+${formatCount(n)}`;
  if (n < 0) return `−${formatCount(-n)}`;
  return '0';
}

/** A ledger line: its balance effect first; holds and releases move only the held credits. */
export function ledgerLine(e: LedgerEntryInfo): CreditsView['recent'][number] {
  const held = e.heldDelta !== 0 && e.amount === 0 ? ` (${e.heldDelta > 0 ? 'held' : 'released'} ${formatCount(Math.abs(e.heldDelta))})` : '';
  const project = e.projectName ? ` · ${e.projectName}` : '';
  return { when: formatWhen(e.at), amount: signed(e.amount), text: `${e.kind}${held}${project} · ${e.reason} · by ${e.actor}` };
}

export function presentCredits(info: CreditsInfo, orgName: string): CreditsView {
  return {
    kind: 'credits',
    orgName,
    facts: [
      { label: 'Balance', value: formatCount(info.balance) },
      { label: 'Available', value: formatCount(info.available) },
      { label: 'Held', value: formatCount(info.held) },
      { label: 'Consumed', value: formatCount(info.consumed) },
      { label: 'Licenses', value: `${formatCount(info.licenses)} valid · ${formatCount(info.expiringSoon.total)} expire within 30 days` },
      { label: 'Waiting for approval', value: plural(info.pendingHolds, 'hold') },
    ],
    expiring: info.expiringSoon.licenses.map((l) => ({ address: l.sourceAddress, text: `expires ${formatWhen(l.expiresAt)} · ${l.projectName}` })),
    expiringMore: Math.max(0, info.expiringSoon.total - info.expiringSoon.licenses.length),
    recent: info.recent.slice(0, 10).map(ledgerLine),
    actions: [],
  };
}

/** The grant command an operator runs (src/cli). */
export function grantCommand(orgId: string, amount: number): string {
  return `npm run cli -- credits grant --org ${orgId} --amount ${amount} --reason "<why>"`;
}

export function presentShortfall(need: CreditNeed, projectName: string, orgId: string): ShortfallView {
  const lines = need.lines.slice(0, HOLD_PAGE_SIZE);
  return {
    kind: 'shortfall',
    projectName,
    facts: [
      { label: 'Need', value: `${credits(need.need)} for ${plural(need.lines.length, 'mailbox', 'mailboxes')}` },
      { label: 'Available', value: formatCount(need.available) },
      { label: 'Shortfall', value: credits(need.shortfall) },
    ],
    lines: creditLineViews(lines),
    more: need.lines.length - lines.length,
    nextSteps: [
      `Ask an admin of your organisation for at least ${credits(need.shortfall)} more.`,
      `An operator grants them with: ${grantCommand(orgId, need.shortfall)}`,
      `Or leave mailboxes out (match ${commandArg(projectName)}), then launch again: launch ${commandArg(projectName)} full`,
    ],
  };
}

/** INSUFFICIENT_CREDITS carries a CreditNeed in its details; anything else is not one. */
export function creditNeedOf(details: Record<string, unknown> | undefined): CreditNeed | null {
  if (!details) return null;
  const { need, available, shortfall, lines } = details as Partial<CreditNeed>;
  if (typeof need !== 'number' || typeof available !== 'number' || typeof shortfall !== 'number' || !Array.isArray(lines)) return null;
  return { need, available, shortfall, lines };
}
