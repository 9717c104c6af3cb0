import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { ConnectResultView, FormView, HelpView, MatchReviewView, ProjectView, RefusalView, ScanView, View } from '../../src/cards/views.js';
import { createDispatcher } from '../../src/bot/dispatch.js';
import { createNotifier, type Notifier } from '../../src/bot/notifier.js';
import type { Dispatcher } from '../../src/bot/context.js';
import { parseEnv } from '../../src/env.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { recordingContext, recordingSender } from './bot-chat-double.js';

const log = pino({ level: 'silent' });
const ORG = 'slack:T-flow';
const CHANNEL = 'slack:T-flow:C-migration';

function as<K extends View['kind']>(view: View, kind: K): Extract<View, { kind: K }> {
  expect(view.kind).toBe(kind);
  return view as Extract<View, { kind: K }>;
}

/** Fills a form the way a person would: the submit data plus the given (or pre-filled) values. */
function submit(form: FormView, values: Record<string, string>): Record<string, unknown> {
  const filled = Object.fromEntries(form.fields.map((f) => [f.id, values[f.id] ?? f.value ?? '']));
  return { ...form.submit.data, ...filled };
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('bot core: create → connect → scan → match on the sandbox', () => {
  let app: TestApp;
  let dispatcher: Dispatcher;
  let notifier: Notifier;
  let registry: Registry;
  const chat = recordingSender('slack');
  const admin = () => recordingContext({ orgId: ORG, userId: 'U-alex', userName: 'Alex', platformAdmin: true, channelKey: CHANNEL });

  beforeAll(async () => {
    app = await startTestApp();
    registry = new Registry();
    dispatcher = createDispatcher({ engine: app.engine, log, env: parseEnv({ LOG_LEVEL: 'silent' }), registry });
    // The app's own notifier has no Slack sender; this one edits the recorded chat.
    notifier = createNotifier({ engine: app.engine, senders: [chat.sender], log, minEditIntervalMs: 300 });
    await notifier.start();
  });
  afterAll(async () => {
    await notifier?.stop();
    await app?.close();
  });

  it('creates a project inline, with a quoted name', async () => {
    const ctx = admin();
    await dispatcher.command(ctx, '/migrate new "Acme Corp" sandbox sandbox');
    const project = as(ctx.last('reply'), 'project') as ProjectView;
    expect(project.name).toBe('Acme Corp');
    expect(project.connections.map((c) => c.state)).toEqual(['missing', 'missing']);
    expect(project.nextStep).toContain('/migrate connect "Acme Corp" source');
  });

  it('connects both sides through the credentials form', async () => {
    for (const [side, domain, mailboxes] of [['source', 'contoso.example', '6'], ['destination', 'fabrikam.example', '5']] as const) {
      const ctx = admin();
      await dispatcher.command(ctx, `connect "Acme Corp" ${side}`);
      const form = as(ctx.last('form'), 'form');
      expect(form.submit.verb).toBe('connect.save');
      expect(form.fields.map((f) => f.id)).toEqual(expect.arrayContaining(['domain', 'mailboxes', 'messagesPerMailbox', 'seed']));
      await dispatcher.action(ctx, form.submit.verb, submit(form, { domain, mailboxes, messagesPerMailbox: '4', seed: '3' }));
      const result = as(ctx.last('respond'), 'connect_result') as ConnectResultView;
      expect(result).toMatchObject({ ok: true, side, problems: [] });
    }
  });

  it('re-shows the form with the problem beside a wrong field, and saves nothing', async () => {
    const ctx = admin();
    await dispatcher.command(ctx, 'connect "Acme Corp" source');
    const form = as(ctx.last('form'), 'form');
    await dispatcher.action(ctx, 'connect.save', submit(form, { mailboxes: 'lots' }));
    const again = as(ctx.last('form'), 'form');
    expect(again.fields.find((f) => f.id === 'mailboxes')?.error).toMatch(/whole number/);
    const project = await app.engine.getProject({ orgId: ORG, userId: 'U-alex', userName: 'Alex', platformAdmin: true }, 'Acme Corp');
    expect(project.stage).toBe('ready_to_scan');
  });

  it('scans: one card posted, then edited in place until it shows the completed totals', async () => {
    const ctx = admin();
    await dispatcher.command(ctx, 'scan "acme corp"');
    const posted = as(ctx.last('reply'), 'scan') as ScanView;
    expect(posted.projectName).toBe('Acme Corp');
    const final = await waitFor(() => chat.edits.map((e) => e.view as ScanView).find((v) => v.runId === posted.runId && v.status === 'completed'), 60_000, 'the completed scan card');
    expect(chat.posts).toHaveLength(0);
    const run = await app.engine.getRun(posted.runId);
    expect(final.percent).toBe(100);
    const facts = Object.fromEntries(final.facts.map((f) => [f.label, f.value]));
    expect(facts.Source).toMatch(/^6 mailboxes · /);
    expect(facts.Destination).toMatch(/^5 mailboxes · /);
    const sourceItems = run.summary!.source.mail + run.summary!.source.events + run.summary!.source.contacts;
    expect(facts.Source).toContain(`${sourceItems.toLocaleString('en-US')} items`);
    expect(facts['Largest mailbox']).toContain(run.summary!.largest!.address);
    expect(final.actions.map((a) => a.verb)).toContain('match.open');
    const edited = chat.edits.filter((e) => (e.view as ScanView).runId === posted.runId);
    expect(new Set(edited.map((e) => e.ref.messageId)).size).toBe(1);
  });

  it('reviews the match, then excludes and overrides rows, each answer showing the change', async () => {
    const ctx = admin();
    await dispatcher.command(ctx, 'match "Acme Corp" all');
    const review = as(ctx.last('reply'), 'match_review') as MatchReviewView;
    expect(review.counts.total).toBe(6);
    expect(review.rows).toHaveLength(6);

    const first = review.rows[0]!;
    await dispatcher.action(ctx, 'mapping.exclude', { projectId: review.projectId, mappingId: first.mappingId, filter: 'all', page: 0 });
    const afterExclude = as(ctx.last('respond'), 'match_review') as MatchReviewView;
    expect(afterExclude.notice).toContain(first.sourceAddress);
    expect(afterExclude.notice).toContain('Alex');
    expect(afterExclude.rows.find((r) => r.mappingId === first.mappingId)?.status).toBe('excluded');
    expect(afterExclude.counts.excluded).toBe(review.counts.excluded + 1);

    const target = afterExclude.rows.find((r) => r.status !== 'excluded' && r.candidates.length > 0)!;
    const choice = target.candidates.find((c) => c !== target.destinationAddress) ?? target.candidates[0]!;
    await dispatcher.action(ctx, 'mapping.override', { projectId: review.projectId, mappingId: target.mappingId, filter: 'all', page: 0, [`destination_${target.mappingId}`]: choice });
    const afterOverride = as(ctx.last('respond'), 'match_review') as MatchReviewView;
    expect(afterOverride.rows.find((r) => r.mappingId === target.mappingId)?.destinationAddress).toBe(choice);
    expect(afterOverride.notice).toContain(choice);
  });

  it('exports the mapping as a CSV file', async () => {
    const ctx = admin();
    await dispatcher.command(ctx, 'match "Acme Corp" export');
    const file = ctx.said.find((s) => s.how === 'file')?.file;
    expect(file?.name).toBe('Acme-Corp-mapping.csv');
    expect(file?.content.trim().split('\n')).toHaveLength(7);
  });

  it('answers a typo with help and a suggestion, privately', async () => {
    const ctx = admin();
    await dispatcher.command(ctx, 'sacn acme');
    const help = as(ctx.last('private'), 'help') as HelpView;
    expect(help.problem).toBe('Unknown command “sacn”. Did you mean “scan”?');
    expect(help.commands.map((c) => c.usage)).toContain('/migrate scan <project>');
    expect(ctx.said.filter((s) => s.how === 'reply')).toHaveLength(0);
  });

  it('answers a malformed command with help saying what was wrong', async () => {
    const ctx = admin();
    await dispatcher.command(ctx, 'new acme sandbox');
    const help = as(ctx.last('private'), 'help') as HelpView;
    expect(help.problem).toMatch(/takes a name, a source and a destination/);
  });

  it('answers credits with the org\'s balance, privately', async () => {
    const ctx = admin();
    await dispatcher.command(ctx, 'credits');
    const card = as(ctx.last('private'), 'credits') as { facts: { label: string; value: string }[] };
    const fact = (label: string) => card.facts.find((f) => f.label.toLowerCase().startsWith(label))?.value;
    expect(fact('balance')).toBe('0');
    expect(fact('available')).toBe('0');
  });

  it('refuses a user without a role privately, and audits it', async () => {
    const ctx = recordingContext({ orgId: ORG, userId: 'U-nobody', userName: 'Nobody', channelKey: CHANNEL });
    await dispatcher.command(ctx, 'scan "Acme Corp"');
    const refusal = as(ctx.last('private'), 'refusal') as RefusalView;
    expect(refusal.allowedRoles).toEqual(['admin']);
    expect(refusal.yourRoles).toEqual([]);
    expect(ctx.said.filter((s) => s.how !== 'private')).toHaveLength(0);
    await dispatcher.action(ctx, 'mapping.exclude', { projectId: 'p', mappingId: 'm' });
    expect(ctx.last('private').kind).toBe('refusal');
    const audit = await app.engine.listAudit(ORG, 50);
    expect(audit).toEqual(expect.arrayContaining([
      expect.objectContaining({ actor: 'U-nobody', action: 'command:scan', outcome: 'denied' }),
      expect.objectContaining({ actor: 'U-nobody', action: 'action:mapping.exclude', outcome: 'denied' }),
    ]));
  });

  it('refuses an unknown card verb without running anything', async () => {
    const ctx = admin();
    await dispatcher.action(ctx, 'project.delete', { projectId: 'x' });
    const error = as(ctx.last('private'), 'error');
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).toContain('Unknown card action');
  });

  it('counts commands by outcome for /metrics', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/chat_commands_total\{command="scan",outcome="refused"\} 1/);
    expect(text).toMatch(/chat_commands_total\{command="unknown",outcome="unknown"\} 1/);
  });
});
