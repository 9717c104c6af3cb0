import { describe, expect, it } from 'vitest';
import type { HoldInfo } from '../../engine/index.js';
import { ageOf, presentApproval, presentApprovals } from './approval.js';

function hold(overrides: Partial<HoldInfo> = {}): HoldInfo {
  return {
    id: '0b7d3c1e-5a2f-4c8e-9d61-2f4a8b9c0e11',
    orgId: 'slack:T1',
    projectId: 'p1',
    projectName: 'acme',
    runId: 'r1',
    channelKey: 'slack:T1:C1',
    status: 'pending_approval',
    amount: 24,
    consumed: 0,
    released: 0,
    availableBefore: 100,
    availableAfter: 76,
    requestedBy: 'UALEX',
    requestedByName: 'Alex Wilber',
    createdAt: '2026-11-24T07:00:00.000Z',
    expiresAt: '2026-11-25T07:00:00.000Z',
    decidedBy: null,
    decidedByName: null,
    decidedAt: null,
    outcome: null,
    lines: Array.from({ length: 25 }, (_, i) => ({ sourceAddress: `user${i}@old.example`, kind: i === 4 ? 'room' : 'user', credits: i === 4 ? 0 : 1, reason: i === 4 ? 'resource mailbox: free' : 'unlicensed' })),
    approverIds: ['UMEGAN', 'UADELE', 'W0TEAMS', '29:not-slack'],
    approverChatIds: ['UMEGAN', 'UADELE', 'W0TEAMS', '29:not-slack'],
    selfApproval: false,
    ...overrides,
  };
}

const verbs = (v: { actions: { verb: string }[] }) => v.actions.map((a) => a.verb);

describe('presentApproval', () => {
  it('pending on Slack: need, available before → after, expiry, the first 10 mailboxes, Approve/Reject/Next, approvers named', () => {
    const view = presentApproval(hold(), { platform: 'slack', canDecide: true });
    expect(view.facts).toEqual([
      { label: 'Need', value: '24 credits for 25 mailboxes' },
      { label: 'Available', value: '100 → 76' },
      { label: 'Expires', value: '2026-11-25 07:00 UTC' },
    ]);
    expect(view.lines).toHaveLength(10);
    expect(view.lines[4]).toEqual({ address: 'user4@old.example', credits: '0', reason: 'resource mailbox: free' });
    expect(view.more).toBe(15);
    expect(verbs(view)).toEqual(['hold.approve', 'hold.reject', 'hold.page']);
    expect(view.approverText).toBe('Can approve: <@UMEGAN>, <@UADELE>, <@W0TEAMS> and 1 more. Whoever launched the run cannot approve it.');
    expect(view.refresh).toBeUndefined();
    expect(view.decision).toBeUndefined();
  });

  it('Teams base card: no decision buttons, a refresh for the approvers, and a count instead of mentions', () => {
    const view = presentApproval(hold(), { platform: 'teams', canDecide: false, page: 2 });
    expect(verbs(view)).toEqual(['hold.page']);
    expect(view.actions[0]!.data).toEqual({ holdId: hold().id, page: 1 });
    expect(view.lines.map((l) => l.address)).toEqual(Array.from({ length: 5 }, (_, i) => `user${20 + i}@old.example`));
    expect(view.more).toBe(0);
    // Teams names users by MRI in refresh.userIds: the chat ids, not the stored aadObjectIds.
    const mris = hold({ approverChatIds: ['29:megan', '29:adele', '29:w', '29:not-slack'] });
    expect(presentApproval(mris, { platform: 'teams', canDecide: true, page: 1 }).refresh?.userIds).toEqual(['29:megan', '29:adele', '29:w', '29:not-slack']);
    expect(view.refresh).toEqual({ verb: 'hold.refresh', data: { holdId: hold().id }, userIds: hold().approverChatIds });
    expect(view.approverText).toContain("approvers and admins (4 people)");
  });

  it('caps refresh.userIds at 60 and clamps a page past the end', () => {
    const many = Array.from({ length: 75 }, (_, i) => `id-${i}`);
    const view = presentApproval(hold({ approverIds: many, approverChatIds: many }), { platform: 'teams', canDecide: true, page: 99 });
    expect(view.refresh?.userIds).toHaveLength(60);
    expect(view.page).toBe(2);
  });

  it('decided: who and when, the outcome sentence, and no buttons at all', () => {
    const approved = presentApproval(hold({ status: 'consumed', decidedBy: 'UMEGAN', decidedByName: 'Megan Bowen', decidedAt: '2026-11-24T07:40:00.000Z', consumed: 24, outcome: 'run finished: 24 consumed, 0 released' }), { platform: 'teams', canDecide: true });
    expect(approved.decision).toEqual({ tone: 'success', headline: 'Approved by Megan Bowen at 2026-11-24 07:40 UTC', outcome: 'run finished: 24 consumed, 0 released' });
    expect(approved.actions).toEqual([]);
    expect(approved.refresh).toBeUndefined();
    expect(approved.facts).toContainEqual({ label: 'Settled', value: '24 consumed · 0 released' });
    const rejected = presentApproval(hold({ status: 'rejected', decidedBy: 'UMEGAN', decidedByName: 'Megan Bowen', decidedAt: '2026-11-24T07:41:00.000Z' }), { platform: 'slack', canDecide: true });
    expect(rejected.decision).toMatchObject({ tone: 'danger', headline: 'Rejected by Megan Bowen at 2026-11-24 07:41 UTC' });
    expect(rejected.actions).toEqual([]);
    const expired = presentApproval(hold({ status: 'expired', outcome: 'no decision within 24 h' }), { platform: 'slack', canDecide: true });
    expect(expired.decision).toMatchObject({ tone: 'warning', headline: 'Expired at 2026-11-25 07:00 UTC: nobody decided in time', outcome: 'no decision within 24 h' });
  });
});

describe('presentApprovals', () => {
  it('lists each pending hold with its need, requester, age and an Open button; counts beyond 20', () => {
    const holds = Array.from({ length: 23 }, (_, i) => hold({ id: `h-${i}`, projectName: `p${i}` }));
    const view = presentApprovals(holds, new Date('2026-11-24T10:30:00.000Z'));
    expect(view.holds).toHaveLength(20);
    expect(view.more).toBe(3);
    expect(view.holds[0]).toMatchObject({ projectName: 'p0', need: '24 credits for 25 mailboxes', requestedBy: 'Alex Wilber', age: '3 h ago · expires 2026-11-25 07:00 UTC' });
    expect(view.holds[0]!.action).toEqual({ label: 'Open', verb: 'hold.open', data: { holdId: 'h-0' } });
  });

  it('says ages in words', () => {
    const now = new Date('2026-11-24T10:00:00.000Z');
    expect(ageOf('2026-11-24T09:59:40.000Z', now)).toBe('just now');
    expect(ageOf('2026-11-24T09:15:00.000Z', now)).toBe('45 min ago');
    expect(ageOf('2026-11-21T10:00:00.000Z', now)).toBe('3 d ago');
  });
});
