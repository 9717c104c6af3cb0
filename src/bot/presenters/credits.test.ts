import { describe, expect, it } from 'vitest';
import type { CreditsInfo } from '../../engine/index.js';
import { creditNeedOf, ledgerLine, presentCredits, presentShortfall } from './credits.js';

const need = {
  need: 12,
  available: 5,
  shortfall: 7,
  lines: Array.from({ length: 13 }, (_, i) => ({ sourceAddress: `u${i}@old.example`, kind: 'user' as const, credits: i === 0 ? 0 : 1, reason: i === 0 ? 'licensed until 2027-11-24' : 'unlicensed' })),
};

describe('credit presenters', () => {
  it('the shortfall: need, available, shortfall, 10 mailboxes and the rest counted, and the grant command', () => {
    const view = presentShortfall(need, 'Big Co', 'slack:T1');
    expect(view.facts).toEqual([
      { label: 'Need', value: '12 credits for 13 mailboxes' },
      { label: 'Available', value: '5' },
      { label: 'Shortfall', value: '7 credits' },
    ]);
    expect(view.lines).toHaveLength(10);
    expect(view.more).toBe(3);
    expect(view.nextSteps[1]).toBe('An operator grants them with: npm run cli -- credits grant --org slack:T1 --amount 7 --reason "<why>"');
    expect(view.nextSteps[2]).toContain('launch "Big Co" full');
  });

  it('reads a CreditNeed from INSUFFICIENT_CREDITS details, and nothing else', () => {
    expect(creditNeedOf({ ...need })).toEqual(need);
    expect(creditNeedOf({ need: 1 })).toBeNull();
    expect(creditNeedOf(undefined)).toBeNull();
  });

  it('the credits card: balance, available, held, consumed, licenses, pending holds, and signed ledger lines', () => {
    const info: CreditsInfo = {
      orgId: 'o', balance: 1200, available: 1000, held: 200, consumed: 34, licenses: 34,
      expiringSoon: { total: 3, licenses: [{ sourceAddress: 'a@x', identity: 'i', kind: 'user', projectName: 'acme', consumedAt: '2025-12-01T00:00:00Z', expiresAt: '2026-12-01T00:00:00Z' }] },
      pendingHolds: 1,
      recent: [{ id: 3, at: '2026-11-24T07:00:00Z', kind: 'hold', amount: 0, heldDelta: 200, balanceAfter: 1200, holdId: 'h', runId: 'r', projectName: 'acme', actor: 'U1', reason: 'full run' }],
      policy: { perMailbox: 1, resourceFree: true, publicFoldersCost: 25, licenseMonths: 12, holdTtlHours: 24, selfApproval: false },
    };
    const view = presentCredits(info, 'Contoso');
    expect(view.facts.map((f) => `${f.label}: ${f.value}`)).toEqual([
      'Balance: 1,200', 'Available: 1,000', 'Held: 200', 'Consumed: 34', 'Licenses: 34 valid · 3 expire within 30 days', 'Waiting for approval: 1 hold',
    ]);
    expect(view.expiring).toEqual([{ address: 'a@x', text: 'expires 2026-12-01 00:00 UTC · acme' }]);
    expect(view.expiringMore).toBe(2);
    expect(view.recent[0]).toEqual({ when: '2026-11-24 07:00 UTC', amount: '0', text: 'hold (held 200) · acme · full run · by U1' });
    expect(ledgerLine({ ...info.recent[0]!, kind: 'consume', amount: -3, heldDelta: -3 }).amount).toBe('−3');
    expect(ledgerLine({ ...info.recent[0]!, kind: 'grant', amount: 500, heldDelta: 0, projectName: null }).text).toBe('grant · full run · by U1');
  });
});
