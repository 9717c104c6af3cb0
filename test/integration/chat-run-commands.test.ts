/**
 * The run commands through the real dispatcher, against a scripted engine: argument parsing,
 * roles, what is answered where (channel or privately), and the card filed for the notifier.
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Actor, Engine, MailboxLogPage, MailboxProgressInfo, Role, RunDetail, StoredCard } from '../../src/engine/index.js';
import type { HelpView, MailboxLogView, MailboxStatusView, RunView } from '../../src/cards/views.js';
import { createDispatcher } from '../../src/bot/dispatch.js';
import { parseEnv } from '../../src/env.js';
import { AppError } from '../../src/errors.js';
import { recordingContext } from './bot-chat-double.js';

const progress: MailboxProgressInfo = {
  mailboxRunId: 'mr1', runId: 'run-9', projectName: 'acme', mode: 'full', sourceAddress: 'ada@a.example', destinationAddress: 'ada@b.example',
  status: 'running', health: 'healthy', healthReason: null, itemsTotal: 100, itemsDone: 50, itemsFailed: 0, bytesDone: 2048,
  itemsPerMinute: 25, bytesPerMinute: 1024, etaSeconds: 120, startedAt: '2026-11-24T04:00:00Z', finishedAt: null, error: null,
};

function scriptedEngine(roles: Record<string, Role[]>) {
  const calls: { op: string; props: unknown }[] = [];
  const cards: StoredCard[] = [];
  const run: RunDetail = {
    id: 'run-9', projectId: 'p1', projectName: 'acme', channelKey: 'slack:T-bot:C-general', mode: 'full', status: 'queued', startedBy: 'U-admin', startedByName: 'Alex Admin',
    createdAt: new Date().toISOString(), finishedAt: null, progress: { mailboxesTotal: 3 }, summary: null, error: null, mailboxRuns: [],
  };
  const authorize = async (actor: Actor, allowed: readonly Role[]) => {
    const mine = roles[actor.userId] ?? [];
    if (!allowed.some((r) => mine.includes(r))) throw new AppError('FORBIDDEN', 'Not allowed.', { details: { allowedRoles: [...allowed], yourRoles: mine } });
  };
  const engine = {
    authorize,
    rolesOf: async (actor: Actor) => roles[actor.userId] ?? [],
    audit: async () => undefined,
    createMissingPlan: async () => ({ toCreate: [], skus: [], createsUsers: false }),
    launchRun: async (_a: Actor, props: { project: string; mode: string }) => { calls.push({ op: 'launch', props }); run.mode = props.mode as RunDetail['mode']; return run; },
    cancelRun: async (_a: Actor, props: unknown) => { calls.push({ op: 'cancel', props }); return { ...run, status: 'cancelled' }; },
    getRun: async () => structuredClone(run),
    saveCard: async (card: StoredCard) => { cards.push(card); },
    mailboxStatus: async (_a: Actor, props: unknown) => { calls.push({ op: 'status', props }); return progress; },
    mailboxLog: async (_a: Actor, props: { page: number }): Promise<MailboxLogPage> => {
      calls.push({ op: 'log', props });
      return { mailbox: progress, entries: [{ at: '2026-11-24T04:00:00Z', level: 'info', message: `line of page ${props.page}` }], page: props.page, pageCount: 3, total: 25 };
    },
  } as unknown as Engine;
  return { engine, calls, cards };
}

const roles: Record<string, Role[]> = { 'U-admin': ['admin'], 'U-help': ['helpdesk'] };

function setup() {
  const scripted = scriptedEngine(roles);
  const dispatcher = createDispatcher({ engine: scripted.engine, log: pino({ level: 'silent' }) as never, env: parseEnv({}) });
  return { ...scripted, dispatcher };
}

describe('run commands in chat', () => {
  it('launch posts the run card in the channel and files it as the run’s living card; the mode defaults to full', async () => {
    const { dispatcher, calls, cards } = setup();
    const ctx = recordingContext({ userId: 'U-admin' });
    await dispatcher.command(ctx, 'launch acme');
    await dispatcher.command(ctx, 'launch acme DELTA');
    expect(calls).toEqual([{ op: 'launch', props: { project: 'acme', mode: 'full' } }, { op: 'launch', props: { project: 'acme', mode: 'delta' } }]);
    const card = ctx.said.filter((s) => s.how === 'reply').map((s) => s.view as RunView);
    expect(card.map((v) => [v.kind, v.mode, v.status])).toEqual([['run', 'full', 'queued'], ['run', 'delta', 'queued']]);
    expect(card[0]!.actions.map((a) => a.verb)).toEqual(['run.cancel']);
    expect(cards.map((c) => c.subject)).toEqual(['run:run-9', 'run:run-9']);
  });

  it('launch with an unknown mode answers privately with help saying what was wrong', async () => {
    const { dispatcher, calls } = setup();
    const ctx = recordingContext({ userId: 'U-admin' });
    await dispatcher.command(ctx, 'launch acme everything');
    expect((ctx.last('private') as HelpView).problem).toMatch(/“everything” is not a run mode: use full, delta, structure or retry/);
    expect(calls).toEqual([]);
  });

  it('status <address> and log <address> [page] answer privately; pages count from 1 for people', async () => {
    const { dispatcher, calls } = setup();
    const ctx = recordingContext({ userId: 'U-help' });
    await dispatcher.command(ctx, 'status ada@a.example');
    expect(ctx.last('private')).toMatchObject({ kind: 'mailbox_status', address: 'ada@a.example', percent: 50 } satisfies Partial<MailboxStatusView>);
    await dispatcher.command(ctx, 'log ada@a.example 2');
    const log = ctx.last('private') as MailboxLogView;
    expect(log).toMatchObject({ kind: 'mailbox_log', page: 1, pageCount: 3 });
    expect(log.actions.map((a) => [a.label, a.data.page])).toEqual([['Previous', 0], ['Next', 2]]);
    expect(calls).toEqual([
      { op: 'status', props: { address: 'ada@a.example' } },
      { op: 'log', props: { address: 'ada@a.example', page: 2, pageSize: 10 } },
    ]);
    expect(ctx.said.filter((s) => s.how !== 'private')).toEqual([]);
    await dispatcher.action(ctx, 'mailbox.log', { address: 'ada@a.example', page: 2 });
    expect(calls.at(-1)).toEqual({ op: 'log', props: { address: 'ada@a.example', page: 3, pageSize: 10 } });
    expect(ctx.last('respond')).toMatchObject({ kind: 'mailbox_log', page: 2 });
  });

  it('refuses launch and cancel to helpdesk, and everything to a user without a role, privately', async () => {
    const { dispatcher, calls } = setup();
    const help = recordingContext({ userId: 'U-help' });
    await dispatcher.command(help, 'launch acme');
    await dispatcher.command(help, 'cancel acme');
    await dispatcher.action(help, 'run.launch', { projectId: 'p1', mode: 'retry' });
    const nobody = recordingContext({ userId: 'U-nobody' });
    await dispatcher.command(nobody, 'status ada@a.example');
    await dispatcher.command(nobody, 'log ada@a.example');
    for (const ctx of [help, nobody]) {
      expect(ctx.said.every((s) => s.how === 'private' && s.view.kind === 'refusal')).toBe(true);
    }
    expect(help.said).toHaveLength(3);
    expect(nobody.said).toHaveLength(2);
    expect(calls).toEqual([]);
  });

  it('cancel confirms privately; the card’s Cancel button replaces the card', async () => {
    const { dispatcher, calls } = setup();
    const ctx = recordingContext({ userId: 'U-admin' });
    await dispatcher.command(ctx, 'cancel acme');
    expect(ctx.last('private')).toMatchObject({ kind: 'notice', title: 'Cancelled the full run of acme' });
    await dispatcher.action(ctx, 'run.cancel', { projectId: 'p1' });
    expect(ctx.last('respond')).toMatchObject({ kind: 'run' });
    expect(calls.map((c) => c.op)).toEqual(['cancel', 'cancel']);
  });
});
