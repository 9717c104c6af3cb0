/**
 * The credit commands and hold buttons through the real dispatcher, against a scripted engine:
 * argument parsing, what is answered where (channel, privately, in place), cards filed for the
 * notifier, and how refusals and lost races read. The protocol-level flows are in
 * chat-credits-slack / chat-credits-teams.
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Actor, Engine, HoldInfo, Role, RunInfo, StoredCard, SubscriptionTopic } from '../../src/engine/index.js';
import type { ApprovalView, CreditsView, HelpView, NoticeView, ShortfallView, ApprovalsView } from '../../src/cards/views.js';
import { createDispatcher } from '../../src/bot/dispatch.js';
import { parseEnv } from '../../src/env.js';
import { AppError } from '../../src/errors.js';
import { recordingContext } from './bot-chat-double.js';

const CHANNEL = 'slack:T-bot:C-general';
const hold: HoldInfo = {
  id: 'hold-1', orgId: 'slack:T-bot', projectId: 'p1', projectName: 'acme', runId: 'run-1', channelKey: CHANNEL, status: 'pending_approval',
  amount: 2, consumed: 0, released: 0, availableBefore: 10, availableAfter: 8, requestedBy: 'U-admin', requestedByName: 'Alex Admin',
  createdAt: '2026-11-24T07:00:00.000Z', expiresAt: '2026-11-25T07:00:00.000Z', decidedBy: null, decidedByName: null, decidedAt: null, outcome: null,
  lines: [{ sourceAddress: 'a@x.example', kind: 'user', credits: 1, reason: 'unlicensed' }, { sourceAddress: 'b@x.example', kind: 'user', credits: 1, reason: 'unlicensed' }],
  approverIds: ['U-appr'], approverChatIds: ['U-appr'], selfApproval: false,
};
const approved: HoldInfo = { ...hold, status: 'held', decidedBy: 'U-appr', decidedByName: 'Aria Approver', decidedAt: '2026-11-24T07:05:00.000Z' };

function scriptedEngine(roles: Record<string, Role[]>, launch: () => Promise<RunInfo>) {
  const calls: { op: string; props: unknown }[] = [];
  const cards: StoredCard[] = [];
  const mine = (actor: Actor) => roles[actor.userId] ?? [];
  const authorize = async (actor: Actor, allowed: readonly Role[]) => {
    if (!allowed.some((r) => mine(actor).includes(r))) throw new AppError('FORBIDDEN', 'Not allowed.', { details: { allowedRoles: [...allowed], yourRoles: mine(actor) } });
  };
  const engine = {
    authorize,
    rolesOf: async (actor: Actor) => mine(actor),
    audit: async () => undefined,
    createMissingPlan: async () => ({ createsUsers: false, toCreate: [], skus: [] }),
    getProject: async () => ({ id: 'p1', name: 'acme' }),
    launchRun: async (_a: Actor, props: unknown) => { calls.push({ op: 'launch', props }); return launch(); },
    getRun: async () => ({ id: 'run-1', projectId: 'p1', projectName: 'acme', channelKey: CHANNEL, mode: 'full', status: 'queued', startedBy: 'U-admin', startedByName: 'Alex Admin', createdAt: hold.createdAt, finishedAt: null, progress: {}, summary: null, error: null, mailboxRuns: [] }),
    saveCard: async (card: StoredCard) => { cards.push(card); },
    findCard: async (subject: string, key: string) => cards.find((c) => c.subject === subject && c.channelKey === key) ?? null,
    getHold: async () => hold,
    listHolds: async (_a: Actor, props: unknown) => { calls.push({ op: 'listHolds', props }); return [hold]; },
    credits: async () => ({ orgId: 'slack:T-bot', balance: 10, available: 8, held: 2, consumed: 0, licenses: 0, expiringSoon: { total: 0, licenses: [] }, pendingHolds: 1, recent: [], policy: {} }),
    decideHold: async (actor: Actor, props: { decision: string }) => {
      calls.push({ op: 'decide', props });
      if (actor.userId === 'U-admin') throw new AppError('FORBIDDEN', 'You launched this run, so another approver or admin must approve its credits.', { details: { holdId: hold.id } });
      if (actor.userId === 'U-late') throw new AppError('CONFLICT', 'Aria Approver already approved this hold at 07:05 UTC.', { details: { hold: approved } });
      return approved;
    },
    subscribe: async (_a: Actor, props: { topics: SubscriptionTopic[] }) => { calls.push({ op: 'subscribe', props }); return { channelKey: CHANNEL, projectId: 'p1', projectName: 'acme', topics: props.topics }; },
    unsubscribe: async (_a: Actor, props: unknown) => { calls.push({ op: 'unsubscribe', props }); },
  } as unknown as Engine;
  return { engine, calls, cards };
}

const roles: Record<string, Role[]> = { 'U-admin': ['admin'], 'U-appr': ['approver'], 'U-late': ['approver'], 'U-help': ['helpdesk'] };
const pendingRun = { id: 'run-1', status: 'pending_approval', channelKey: CHANNEL, hold } as unknown as RunInfo;

function setup(launch: () => Promise<RunInfo> = async () => pendingRun) {
  const scripted = scriptedEngine(roles, launch);
  const dispatcher = createDispatcher({ engine: scripted.engine, log: pino({ level: 'silent' }) as never, env: parseEnv({}) });
  return { ...scripted, dispatcher };
}

describe('credit commands in chat', () => {
  it('help lists credits, approvals, subscribe and unsubscribe as real commands', async () => {
    const { dispatcher } = setup();
    const ctx = recordingContext({ userId: 'U-help' });
    await dispatcher.command(ctx, 'help');
    const usages = (ctx.last('reply') as HelpView).commands.map((c) => c.usage);
    expect(usages).toEqual(expect.arrayContaining(['/migrate credits', '/migrate approvals', '/migrate subscribe <project> [progress|health|credits]…', '/migrate unsubscribe <project>']));
  });

  it('launch of a full run that needs credits posts the approval card, files it as hold:<id>, and no run card', async () => {
    const { dispatcher, cards } = setup();
    const ctx = recordingContext({ userId: 'U-admin' });
    await dispatcher.command(ctx, 'launch acme');
    expect(ctx.said.map((s) => [s.how, s.view.kind])).toEqual([['reply', 'approval']]);
    const card = ctx.last('reply') as ApprovalView;
    expect(card.actions.map((a) => a.verb)).toEqual(['hold.approve', 'hold.reject']);
    expect(cards.map((c) => c.subject)).toEqual(['hold:hold-1']);
  });

  it('INSUFFICIENT_CREDITS answers with the shortfall card and files nothing', async () => {
    const need = { need: 12, available: 5, shortfall: 7, lines: [{ sourceAddress: 'a@x.example', kind: 'user', credits: 1, reason: 'unlicensed' }] };
    const { dispatcher, cards } = setup(async () => { throw new AppError('INSUFFICIENT_CREDITS', 'Not enough credits.', { details: need }); });
    const ctx = recordingContext({ userId: 'U-admin' });
    await dispatcher.command(ctx, 'launch acme full');
    const card = ctx.last('reply') as ShortfallView;
    expect(card.kind).toBe('shortfall');
    expect(card.facts).toContainEqual({ label: 'Shortfall', value: '7 credits' });
    expect(cards).toEqual([]);
  });

  it('credits and approvals answer privately; a helpdesk user may read credits but not approvals', async () => {
    const { dispatcher, calls } = setup();
    const help = recordingContext({ userId: 'U-help' });
    await dispatcher.command(help, 'credits');
    expect((help.last('private') as CreditsView).facts).toContainEqual({ label: 'Held', value: '2' });
    await dispatcher.command(help, 'approvals');
    expect(help.last('private').kind).toBe('refusal');
    const appr = recordingContext({ userId: 'U-appr' });
    await dispatcher.command(appr, 'approvals');
    expect((appr.last('private') as ApprovalsView).holds.map((h) => h.holdId)).toEqual(['hold-1']);
    expect(calls).toContainEqual({ op: 'listHolds', props: { status: ['pending_approval'] } });
    expect([...help.said, ...appr.said].filter((s) => s.how === 'reply')).toEqual([]);
  });

  it('subscribe takes topics (all three by default) for this channel; a wrong topic gets help; unsubscribe stops it', async () => {
    const { dispatcher, calls } = setup();
    const ctx = recordingContext({ userId: 'U-admin' });
    await dispatcher.command(ctx, 'subscribe acme');
    await dispatcher.command(ctx, 'subscribe acme health credits');
    await dispatcher.command(ctx, 'subscribe acme weather');
    await dispatcher.command(ctx, 'unsubscribe acme');
    expect(calls).toEqual([
      { op: 'subscribe', props: { project: 'acme', channelKey: CHANNEL, topics: ['progress', 'health', 'credits'] } },
      { op: 'subscribe', props: { project: 'acme', channelKey: CHANNEL, topics: ['health', 'credits'] } },
      { op: 'unsubscribe', props: { project: 'acme', channelKey: CHANNEL } },
    ]);
    expect((ctx.said[2]!.view as HelpView).problem).toMatch(/“weather” is not a topic/);
    expect((ctx.said[1]!.view as NoticeView).text).toBe('It gets mailbox health alerts, credit balance changes. Stop with: unsubscribe acme');
  });
});

describe('hold buttons', () => {
  it('approve: the card turns to who decided, without buttons, and the run card follows in the project channel', async () => {
    const { dispatcher, cards } = setup();
    const ctx = recordingContext({ userId: 'U-appr' });
    await dispatcher.action(ctx, 'hold.approve', { holdId: 'hold-1' });
    const card = ctx.last('respond') as ApprovalView;
    expect(card.decision?.headline).toBe('Approved by Aria Approver at 2026-11-24 07:05 UTC');
    expect(card.actions).toEqual([]);
    expect(ctx.last('reply').kind).toBe('run');
    expect(cards.map((c) => c.subject)).toEqual(['run:run-1']);
  });

  it('the launcher approving their own run gets the engine’s sentence privately; the card stays', async () => {
    const { dispatcher } = setup();
    const ctx = recordingContext({ userId: 'U-admin' });
    await dispatcher.action(ctx, 'hold.approve', { holdId: 'hold-1' });
    expect(ctx.said.map((s) => s.how)).toEqual(['private']);
    expect(ctx.last('private')).toMatchObject({ kind: 'error', message: expect.stringMatching(/another approver or admin must approve/) });
  });

  it('a lost race names who decided first, privately, and shows the decided card', async () => {
    const { dispatcher } = setup();
    const ctx = recordingContext({ userId: 'U-late' });
    await dispatcher.action(ctx, 'hold.reject', { holdId: 'hold-1' });
    expect(ctx.said.map((s) => s.how)).toEqual(['private', 'respond']);
    expect((ctx.last('private') as NoticeView).text).toBe('Approved by Aria Approver at 2026-11-24 07:05 UTC. Aria Approver already approved this hold at 07:05 UTC.');
    expect((ctx.last('respond') as ApprovalView).actions).toEqual([]);
  });

  it('Teams refresh: approvers get Approve / Reject, the launcher and others only the page buttons', async () => {
    const { dispatcher } = setup();
    const teams = 'teams:19:general@thread.tacv2';
    for (const [userId, expected] of [['U-appr', ['hold.approve', 'hold.reject']], ['U-help', []], ['U-admin', []]] as const) {
      const ctx = recordingContext({ userId, channelKey: teams });
      await dispatcher.action(ctx, 'hold.refresh', { holdId: 'hold-1' });
      const card = ctx.last('respond') as ApprovalView;
      expect(card.actions.map((a) => a.verb), userId).toEqual(expected);
      expect(card.refresh?.userIds).toEqual(['U-appr']);
    }
  });

  it('refuses an unknown or malformed hold verb', async () => {
    const { dispatcher } = setup();
    const ctx = recordingContext({ userId: 'U-appr' });
    await dispatcher.action(ctx, 'hold.approve', {});
    expect(ctx.last('private')).toMatchObject({ kind: 'error' });
  });
});
