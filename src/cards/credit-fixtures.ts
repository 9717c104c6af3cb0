import type { ApprovalView, ApprovalsView, CreditLineView, CreditsView, ShortfallView } from './views.js';

/** Fixtures for the credit cards (see view-fixtures.ts): fixed dates, some hostile text. */

const holdId = '0b7d3c1e-5a2f-4c8e-9d61-2f4a8b9c0e11';

function line(i: number): CreditLineView {
  if (i === 1) return { address: '${x}@old-corp.example', credits: '1', reason: 'unlicensed' };
  if (i === 2) return { address: 'boardroom@old-corp.example', credits: '0', reason: 'resource mailbox: free' };
  if (i === 3) return { address: 'jürgen.müller@old-corp.example', credits: '0', reason: 'licensed until 2027-11-24' };
  return { address: `user${i}@old-corp.example`, credits: '1', reason: 'unlicensed' };
}

export function approvalFixture(options: { total?: number; page?: number; decided?: 'approved' | 'rejected' | 'expired'; buttons?: boolean } = {}): ApprovalView {
  const total = options.total ?? 1000;
  const page = options.page ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / 10));
  const lines = Array.from({ length: Math.max(0, Math.min(10, total - page * 10)) }, (_, i) => line(page * 10 + i));
  const nav = [
    ...(page > 0 ? [{ label: 'Previous', verb: 'hold.page', data: { holdId, page: page - 1 } }] : []),
    ...(page + 1 < pageCount ? [{ label: 'Next', verb: 'hold.page', data: { holdId, page: page + 1 } }] : []),
  ];
  const decide = options.buttons === false ? [] : [
    { label: 'Approve', verb: 'hold.approve', data: { holdId }, style: 'primary' as const },
    { label: 'Reject', verb: 'hold.reject', data: { holdId }, style: 'danger' as const },
  ];
  const decision = options.decided === undefined ? undefined : {
    approved: { tone: 'success' as const, headline: 'Approved by Megan Bowen at 2026-11-24 07:40 UTC' },
    rejected: { tone: 'danger' as const, headline: 'Rejected by Megan Bowen at 2026-11-24 07:40 UTC', outcome: 'rejected by Megan Bowen; 998 credits released' },
    expired: { tone: 'warning' as const, headline: 'Expired at 2026-11-25 07:00 UTC', outcome: 'no decision within 24 h' },
  }[options.decided];
  return {
    kind: 'approval',
    holdId,
    projectName: 'acme',
    modeLabel: 'Full run',
    requestedBy: 'Zoë Ångström',
    facts: [
      { label: 'Need', value: '998 credits for 1,000 mailboxes' },
      { label: 'Available', value: '5,000 → 4,002' },
      { label: 'Expires', value: '2026-11-25 07:00 UTC' },
    ],
    lines,
    page,
    pageCount,
    more: Math.max(0, total - page * 10 - lines.length),
    approverText: 'Approvers and admins can decide (3 people). The requester cannot approve their own run.',
    ...(decision ? { decision } : {}),
    actions: [...decide, ...nav],
    refresh: { verb: 'hold.refresh', data: { holdId }, userIds: Array.from({ length: 75 }, (_, i) => `29:user-${i}`) },
    footer: `Page ${page + 1} of ${pageCount} · hold ${holdId.slice(0, 8)}`,
  };
}

export function shortfallFixture(total = 1000): ShortfallView {
  const lines = Array.from({ length: Math.min(10, total) }, (_, i) => line(i));
  return {
    kind: 'shortfall',
    projectName: 'acme',
    facts: [
      { label: 'Need', value: '998 credits' },
      { label: 'Available', value: '120' },
      { label: 'Shortfall', value: '878 credits' },
    ],
    lines,
    more: total - lines.length,
    nextSteps: [
      'Ask an admin of your organisation to buy or grant 878 more credits.',
      'An operator grants them with: npm run cli -- credits grant --org slack:T123 --amount 878 --reason "Q4 purchase"',
      'Then launch again: /migrate launch acme full',
    ],
  };
}

export function creditsFixture(): CreditsView {
  return {
    kind: 'credits',
    orgName: 'Contoso ${org}',
    facts: [
      { label: 'Balance', value: '4,002' },
      { label: 'Available', value: '3,004' },
      { label: 'Held', value: '998' },
      { label: 'Consumed', value: '1,998' },
      { label: 'Licenses', value: '1,998 valid' },
      { label: 'Waiting for approval', value: '1 hold' },
    ],
    expiring: Array.from({ length: 25 }, (_, i) => ({ address: `user${i}@old-corp.example`, text: 'expires 2026-12-10' })),
    expiringMore: 12,
    recent: [
      { when: '2026-11-24 07:40 UTC', amount: '−3', text: 'consume · 3 credits consumed by run r_7c1e of acme · by system' },
      { when: '2026-11-24 07:00 UTC', amount: '0', text: 'hold · 998 held for acme · by Zoë Ångström' },
      { when: '2026-11-20 09:00 UTC', amount: '+5,000', text: 'grant · Q4 purchase ${x} · by cli:ops' },
    ],
    actions: [{ label: 'Approvals', verb: 'help', data: {} }],
  };
}

export function approvalsFixture(count = 3): ApprovalsView {
  const holds = Array.from({ length: Math.min(count, 20) }, (_, i) => {
    const id = `0b7d3c1e-5a2f-4c8e-9d61-${String(i).padStart(12, '0')}`;
    return {
      holdId: id,
      projectName: i === 0 ? 'acme ${p}' : `project-${i}`,
      need: `${(i + 1) * 10} credits`,
      requestedBy: 'Zoë Ångström',
      age: `${i + 1} h ago`,
      action: { label: 'Open', verb: 'hold.open', data: { holdId: id } },
    };
  });
  return { kind: 'approvals', holds, more: Math.max(0, count - holds.length) };
}
