import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { FormView, MatchReviewView, ProjectView, RolesView, View } from '../../src/cards/views.js';
import { createDispatcher } from '../../src/bot/dispatch.js';
import type { Dispatcher } from '../../src/bot/context.js';
import { PLAYGROUND_ORG_ID, PLAYGROUND_USERS } from '../../src/bot/teams/playground-users.js';
import { parseEnv } from '../../src/env.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { recordingContext } from './bot-chat-double.js';

const log = pino({ level: 'silent' });
const ORG = 'slack:T-admin';
const CHANNEL = 'slack:T-admin:C-ops';

function as<K extends View['kind']>(view: View, kind: K): Extract<View, { kind: K }> {
  expect(view.kind).toBe(kind);
  return view as Extract<View, { kind: K }>;
}

describe('bot core: forms, roles and CSV import', () => {
  let app: TestApp;
  let dispatcher: Dispatcher;
  const admin = (attachments?: { name: string; text: string }[]) =>
    recordingContext({ orgId: ORG, userId: 'U-root', userName: 'Root', platformAdmin: true, channelKey: CHANNEL, ...(attachments ? { attachments } : {}) });

  beforeAll(async () => {
    // Local mode with the demo on: the Playground's org gets its project and roles.
    app = await startTestApp({ MAILFERRY_DEMO: 'on' });
    dispatcher = createDispatcher({ engine: app.engine, log, env: parseEnv({ LOG_LEVEL: 'silent' }) });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('opens the new-project form with only the platforms that work, and shows field errors on a bad submit', async () => {
    const ctx = admin();
    await dispatcher.command(ctx, 'new');
    const form = as(ctx.last('form'), 'form') as FormView;
    expect(form.submit.verb).toBe('project.create');
    const options = form.fields.find((f) => f.id === 'source')?.options?.map((o) => o.value);
    expect(options).toEqual(expect.arrayContaining(['imap', 'm365', 'sandbox']));
    expect(options).not.toContain('google');

    await dispatcher.action(ctx, 'project.create', { name: '  ', source: 'sandbox', destination: 'nowhere' });
    const again = as(ctx.last('form'), 'form') as FormView;
    expect(again.fields.find((f) => f.id === 'name')?.error).toBeTruthy();
    expect(again.fields.find((f) => f.id === 'destination')?.error).toBeTruthy();
    expect(again.fields.find((f) => f.id === 'source')?.error).toBeUndefined();

    await dispatcher.action(ctx, 'project.create', { name: 'beta', source: 'sandbox', destination: 'sandbox' });
    const project = as(ctx.last('respond'), 'project') as ProjectView;
    expect(project.name).toBe('beta');
    expect(project.actions.filter((a) => a.verb === 'connect.open').map((a) => a.data.side)).toEqual(['source', 'destination']);

    // The same name again: the form comes back with the problem on the name.
    await dispatcher.action(ctx, 'project.create', { name: 'Beta', source: 'sandbox', destination: 'sandbox' });
    expect((as(ctx.last('form'), 'form') as FormView).fields.find((f) => f.id === 'name')?.error).toBeTruthy();
  });

  it('shows the project card with connect buttons for "connect <project>"', async () => {
    const ctx = admin();
    await dispatcher.command(ctx, 'connect beta');
    const card = as(ctx.last('reply'), 'project') as ProjectView;
    expect(card.nextStep).toContain('/migrate connect beta source');
  });

  it('grants and revokes roles, and a new helpdesk may read status but not scan', async () => {
    const ctx = admin();
    await dispatcher.command(ctx, 'roles add <@U-help> helpdesk');
    const roles = as(ctx.last('reply'), 'roles') as RolesView;
    expect(roles.entries).toEqual(expect.arrayContaining([expect.objectContaining({ user: '<@U-help>', role: 'helpdesk' })]));
    expect(roles.notice).toContain('<@U-help> is now helpdesk');

    const helpdesk = recordingContext({ orgId: ORG, userId: 'U-help', userName: 'Help', channelKey: CHANNEL });
    await dispatcher.command(helpdesk, 'status beta');
    expect(as(helpdesk.last('reply'), 'status').projectName).toBe('beta');
    await dispatcher.command(helpdesk, 'scan beta');
    expect(as(helpdesk.last('private'), 'refusal').yourRoles).toEqual(['helpdesk']);

    await dispatcher.command(ctx, 'roles remove <@U-help> helpdesk');
    expect((as(ctx.last('reply'), 'roles') as RolesView).entries.some((e) => e.user === '<@U-help>')).toBe(false);
    await dispatcher.command(ctx, 'roles add <@U-help> wizard');
    expect(as(ctx.last('private'), 'help').problem).toContain('not a role');
  });

  it('imports a mapping CSV from an attachment and reports what changed', { timeout: 90_000 }, async () => {
    const setup = admin();
    await dispatcher.command(setup, 'new gamma sandbox sandbox');
    for (const [side, domain, count] of [['source', 'a.example', '3'], ['destination', 'b.example', '3']] as const) {
      await dispatcher.action(setup, 'connect.save', { projectId: (setup.said[0]!.view as ProjectView).projectId, side, domain, mailboxes: count, messagesPerMailbox: '1', seed: '5' });
      expect(setup.last('respond')).toMatchObject({ kind: 'connect_result', ok: true });
    }
    const projectId = (setup.said[0]!.view as ProjectView).projectId;
    await dispatcher.action(setup, 'scan.start', { projectId });
    const actor = { orgId: ORG, userId: 'U-root', userName: 'Root', platformAdmin: true };
    expect(setup.last('reply').kind).toBe('scan');
    let status = '';
    for (let i = 0; i < 200 && status !== 'completed'; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await app.engine.latestRun(actor, { project: 'gamma', mode: 'scan' }))?.status ?? '';
    }
    expect(status).toBe('completed');
    const csv = await app.engine.exportMappingCsv(actor, { project: 'gamma' });
    const [header, firstRow] = csv.trim().split('\n');
    const source = firstRow!.split(',')[0]!;
    const ctx = admin([{ name: 'mapping.csv', text: `${header}\n${source},,excluded\n` }]);
    await dispatcher.command(ctx, 'match gamma import');
    const review = as(ctx.last('reply'), 'match_review') as MatchReviewView;
    expect(review.notice).toMatch(/CSV imported by Root: 1 row(s)? changed/);
    expect(review.rows.find((r) => r.sourceAddress === source)?.status).toBe('excluded');

    const form = admin();
    await dispatcher.command(form, 'match gamma import');
    expect((as(form.last('form'), 'form') as FormView).submit).toMatchObject({ verb: 'match.import', data: { projectId } });
  });

  it('prepares the Agents Playground org in local mode: demo project and the three roles', async () => {
    const alex = { orgId: PLAYGROUND_ORG_ID, userId: PLAYGROUND_USERS[0].aadObjectId, userName: 'Alex Wilber', platformAdmin: false };
    const projects = await app.engine.listProjects(alex);
    expect(projects.map((p) => p.name)).toContain('demo');
    for (const user of PLAYGROUND_USERS) {
      expect(await app.engine.rolesOf({ ...alex, userId: user.aadObjectId })).toContain(user.role);
    }
  });
});
