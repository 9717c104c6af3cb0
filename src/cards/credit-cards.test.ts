import { describe, expect, it } from 'vitest';
import { approvalFixture, approvalsFixture, creditsFixture, shortfallFixture } from './credit-fixtures.js';
import { renderSlackMessage } from './slack/render.js';
import { renderTeamsCard } from './teams/render.js';

type Json = Record<string, unknown>;

function walk(node: unknown, visit: (o: Json) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node && typeof node === 'object') {
    visit(node as Json);
    Object.values(node).forEach((v) => walk(v, visit));
  }
}

function executeVerbs(card: Json): string[] {
  const verbs: string[] = [];
  walk(card.body, (o) => o.type === 'Action.Execute' && verbs.push(String(o.verb)));
  walk(card.actions, (o) => o.type === 'Action.Execute' && verbs.push(String(o.verb)));
  return verbs;
}

function slackActionIds(blocks: Json[]): string[] {
  const ids: string[] = [];
  walk(blocks, (o) => typeof o.action_id === 'string' && ids.push(o.action_id.split(':')[0]!));
  return ids;
}

describe('approval card', () => {
  it('Teams: approvers (at most 60) get a hold.refresh; the pending card has Approve, Reject and Next', () => {
    const card = renderTeamsCard(approvalFixture());
    const refresh = card.refresh as { action: Json; userIds: string[] };
    expect(refresh.action).toEqual({ type: 'Action.Execute', verb: 'hold.refresh', data: { holdId: approvalFixture().holdId } });
    expect(refresh.userIds).toHaveLength(60);
    expect(refresh.userIds[0]).toBe('29:user-0');
    expect(executeVerbs(card)).toEqual(['hold.approve', 'hold.reject', 'hold.page']);
    const text = JSON.stringify(card);
    expect(text).toContain('998 credits for 1,000 mailboxes');
    expect(text).toContain('5,000 → 4,002');
    expect(text).toContain('…and 990 more mailboxes');
    expect(text).toContain('resource mailbox: free');
    expect(text).toContain('Waiting for an approver · requested by Zoë Ångström');
  });

  it('Teams: a read-only copy (the base card others see) has page buttons only and says who can approve', () => {
    const card = renderTeamsCard(approvalFixture({ buttons: false, page: 1 }));
    expect(executeVerbs(card)).toEqual(['hold.page', 'hold.page']);
    expect(JSON.stringify(card)).toContain('Approvers and admins can decide');
    expect(JSON.stringify(card)).toContain('…and 980 more mailboxes');
  });

  it('after the decision: who decided and when, the outcome, no buttons and no refresh on either platform', () => {
    for (const decided of ['approved', 'rejected', 'expired'] as const) {
      const view = approvalFixture({ decided });
      const card = renderTeamsCard(view);
      expect(card.refresh).toBeUndefined();
      expect(executeVerbs(card)).toEqual([]);
      expect(JSON.stringify(card)).toContain(view.decision!.headline);
      const slack = renderSlackMessage(view);
      expect(slack.blocks.some((b) => b.type === 'actions')).toBe(false);
      expect(JSON.stringify(slack)).toContain(view.decision!.headline);
      expect(JSON.stringify(slack)).not.toContain('Approvers and admins can decide');
    }
    expect(JSON.stringify(renderTeamsCard(approvalFixture({ decided: 'rejected' })))).toContain('998 credits released');
  });

  it('Slack: one message for everyone, with Approve, Reject and the page buttons', () => {
    const { blocks, text } = renderSlackMessage(approvalFixture());
    expect(slackActionIds(blocks)).toEqual(['hold.approve', 'hold.reject', 'hold.page']);
    expect(text).toBe('Approval needed: Full run of acme, requested by Zoë Ångström');
    expect(JSON.stringify(blocks)).toContain('…and 990 more mailboxes');
  });
});

describe('shortfall, credits and approvals cards', () => {
  it('the shortfall says need, available and shortfall, lists mailboxes and what to do next, with no buttons', () => {
    for (const rendered of [JSON.stringify(renderTeamsCard(shortfallFixture())), JSON.stringify(renderSlackMessage(shortfallFixture()))]) {
      expect(rendered).toContain('878 credits');
      expect(rendered).toContain('Nothing was held and no run was queued.');
      expect(rendered).toContain('…and 990 more mailboxes');
      expect(rendered).toContain('credits grant');
    }
    expect(executeVerbs(renderTeamsCard(shortfallFixture()))).toEqual([]);
  });

  it('the credits card shows balance, available, held, consumed, expiring licenses and the ledger', () => {
    const teams = JSON.stringify(renderTeamsCard(creditsFixture()));
    expect(teams).toContain('"title":"Held","value":"998"');
    expect(teams).toContain('"title":"Consumed","value":"1,998"');
    expect(teams).toContain('…and 17 more licenses');
    expect(teams).toContain('+5,000');
    const slack = JSON.stringify(renderSlackMessage(creditsFixture()));
    expect(slack).toContain('*Available*\\n3,004');
    expect(slack).toContain('Licenses expiring within 30 days');
  });

  it('the approvals list gives each hold an Open button (hold.open) and counts the rest', () => {
    const card = renderTeamsCard(approvalsFixture(45));
    expect(executeVerbs(card)).toEqual(Array.from({ length: 20 }, () => 'hold.open'));
    expect(JSON.stringify(card)).toContain('…and 25 more waiting');
    const slack = renderSlackMessage(approvalsFixture(45));
    expect(slackActionIds(slack.blocks)).toHaveLength(20);
    expect(JSON.stringify(renderTeamsCard(approvalsFixture(0)))).toContain('Nothing is waiting for an approver.');
  });
});
