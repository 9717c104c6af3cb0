/**
 * Microsoft 365 → Microsoft 365 from Slack, through the protocols only: signed Slack requests in,
 * the Slack Web API simulator capturing what the bot says, the Graph simulator standing in for both
 * tenants. Guided consent for both sides (the consent link is followed like a browser would), a
 * wrong client secret on the manual form, scan, match with two users to create, a full run that
 * creates them and waits for their mailboxes, then a delta.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/engine/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createDatabase } from '../helpers/store.js';
import { SlackApiSimulator, type SimMessage } from '../simulators/slack/slack-api-simulator.js';
import { SlackTestUser } from '../simulators/slack/slack-test-user.js';
import { eventually } from '../simulators/slack/eventually.js';
import {
  DEST_DOMAIN, DEST_TENANT, MISSING, OWN_APP, ROOM, SKU_EXCHANGE, SOURCE_DOMAIN, SOURCE_MAILBOXES, SOURCE_TENANT,
  allPairs, dropWhenIdle, expectEveryItemOnce, followConsent, startM365World, type M365World,
} from './m365-chat-setup.js';
import { visibleText } from '../simulators/slack/slack-visible-text.js';

const SECRET = 'm365-signing-secret';
const TOKEN = 'xoxb-m365';
const TEAM = 'TM365';
const CHANNEL = 'CM365';
const ADMIN = 'UM365ADMIN';
const APPROVER = 'UM365APPROVER';
const PROJECT = 'fab2con';

type Json = Record<string, unknown>;

/** The URL of the link button labelled `label`. */
function linkOf(message: SimMessage, label: string): string {
  let url: string | undefined;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Json;
      if (o.type === 'button' && typeof o.url === 'string' && (o.text as Json | undefined)?.text === label) url = o.url;
      Object.values(o).forEach(walk);
    }
  };
  walk(message.blocks);
  if (!url) throw new Error(`no link button “${label}” in ${visibleText(message)}`);
  return url;
}

describe('Slack: Microsoft 365 → Microsoft 365 by guided consent', () => {
  let world: M365World;
  let sim: SlackApiSimulator;
  let app: TestApp;
  let drop: () => Promise<void>;
  let databaseUrl = '';
  let admin: SlackTestUser;
  let approver: SlackTestUser;
  const actor: Actor = { orgId: `slack:${TEAM}`, userId: ADMIN, userName: 'Ada Admin', platformAdmin: true };
  const newTopLevel = (after: number): SimMessage[] => sim.topLevelMessages(CHANNEL).slice(after);
  /** The first top-level message after `after` (containing `marker`, when given: a late message of an earlier step may come first). */
  const nextTopLevel = (after: number, what: string, timeoutMs = 30_000, marker?: string) =>
    eventually(() => newTopLevel(after).find((m) => !marker || visibleText(m).includes(marker)), { what, timeoutMs });

  beforeAll(async () => {
    world = await startM365World();
    const db = await createDatabase();
    drop = db.drop;
    databaseUrl = db.databaseUrl;
    sim = await SlackApiSimulator.start({ botToken: TOKEN, teamId: TEAM });
    sim.addUser({ id: ADMIN, name: 'ada', realName: 'Ada Admin' });
    sim.addUser({ id: APPROVER, name: 'peggy', realName: 'Peggy Approver' });
    app = await startTestApp({ SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: sim.apiUrl, MAILFERRY_ADMINS: ADMIN, DATABASE_URL: db.databaseUrl, ...world.env });
    const channel = { teamId: TEAM, teamDomain: 'm365corp', channelId: CHANNEL };
    admin = new SlackTestUser(sim, `${app.url}/slack/events`, SECRET, { userId: ADMIN, userName: 'ada', ...channel });
    approver = new SlackTestUser(sim, `${app.url}/slack/events`, SECRET, { userId: APPROVER, userName: 'peggy', ...channel });
    await app.engine.grantRole(actor, { userId: APPROVER, role: 'approver' });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await sim?.close();
    await world?.sim.close();
    if (drop) await dropWhenIdle(databaseUrl, drop);
  });

  async function openModal(user: SlackTestUser, command: string): Promise<Json & { id: string }> {
    const opened = sim.views.length;
    await user.command(command);
    await eventually(() => sim.views.length > opened, { what: `a modal after /migrate ${command}` });
    return user.lastView()!;
  }

  it('creates the project and connects the source by guided consent: the channel hears the tenant', async () => {
    const form = await openModal(admin, 'new');
    let before = sim.topLevelMessages(CHANNEL).length;
    await admin.submit(form, { name: PROJECT, source: 'm365', destination: 'm365' });
    await nextTopLevel(before, 'the project card');

    before = sim.topLevelMessages(CHANNEL).length;
    await admin.command(`connect ${PROJECT} source`);
    const card = await nextTopLevel(before, 'the consent card');
    const text = visibleText(card);
    for (const permission of ['Mail.ReadWrite', 'Calendars.ReadWrite', 'Contacts.ReadWrite', 'MailboxSettings.Read', 'User.ReadWrite.All', 'Organization.Read.All']) expect(text).toContain(permission);
    expect(text).toContain('Enter tenant credentials');
    const url = new URL(linkOf(card, 'Grant admin consent'));
    expect(`${url.origin}${url.pathname}`).toBe(`${world.sim.authorityHost}/organizations/v2.0/adminconsent`);
    expect(url.searchParams.get('redirect_uri')).toBe(`${world.env.MAILFERRY_PUBLIC_URL}/consent/m365/callback`);

    before = sim.topLevelMessages(CHANNEL).length;
    world.consentAs(SOURCE_TENANT);
    const page = await followConsent(world, url.toString());
    expect(page.status).toBe(200);
    expect(page.html).toContain(`tenant ${SOURCE_TENANT}`);
    expect(page.html).not.toContain(world.env.M365_CLIENT_SECRET!);
    const told = await nextTopLevel(before, 'the connected message');
    expect(visibleText(told)).toContain(`Microsoft 365 connected as source: tenant ${SOURCE_TENANT}`);
    expect((await app.engine.getProject(actor, PROJECT)).connections).toEqual([expect.objectContaining({ side: 'source', platform: 'm365', status: 'valid' })]);

    // The link is single-use.
    const again = await followConsent(world, url.toString());
    expect(again.status).toBe(400);
    expect(again.html).toContain('already used');
  }, 60_000);

  it('a wrong client secret on the manual form names AADSTS7000215 and the fix; nothing is saved', async () => {
    let before = sim.topLevelMessages(CHANNEL).length;
    world.consentAs(DEST_TENANT);
    await admin.command(`connect ${PROJECT} destination`);
    const card = await nextTopLevel(before, 'the destination consent card');
    const opened = sim.views.length;
    await admin.click(card, 'Enter tenant credentials');
    await eventually(() => sim.views.length > opened, { what: 'the manual form' });
    const form = admin.lastView()!;
    before = sim.topLevelMessages(CHANNEL).length;
    await admin.submit(form, { tenantId: DEST_TENANT, clientId: OWN_APP.clientId, clientSecret: 'not-the-secret' });
    const answer = await nextTopLevel(before, 'the failed connection card');
    const text = visibleText(answer);
    expect(text).toContain('AADSTS7000215');
    expect(text).toMatch(/secret/i);
    expect(text).toContain('Nothing was saved');
    expect(text).not.toContain('not-the-secret');
    expect((await app.engine.getProject(actor, PROJECT)).connections.map((c) => c.side)).toEqual(['source']);
  }, 60_000);

  it('a declined consent says AADSTS65004 and what to do, in the browser and in the channel; nothing is saved', async () => {
    let before = sim.topLevelMessages(CHANNEL).length;
    await admin.command(`connect ${PROJECT} destination`);
    const card = await nextTopLevel(before, 'the destination consent card');
    before = sim.topLevelMessages(CHANNEL).length;
    world.consentAs(DEST_TENANT);
    world.consentDecision('deny');
    try {
      const page = await followConsent(world, linkOf(card, 'Grant admin consent'));
      expect(page.status).toBe(400);
      expect(page.html).toContain('AADSTS65004');
    } finally {
      world.consentDecision('accept');
    }
    const told = visibleText(await nextTopLevel(before, 'the declined message'));
    expect(told).toContain('Could not connect the destination of fab2con');
    expect(told).toContain('The administrator declined the consent (AADSTS65004). Click “Grant admin consent” again and accept.');
    expect((await app.engine.getProject(actor, PROJECT)).connections.map((c) => c.side)).toEqual(['source']);
  }, 60_000);

  it('connects the destination by guided consent in the other tenant', async () => {
    let before = sim.topLevelMessages(CHANNEL).length;
    await admin.command(`connect ${PROJECT} destination`);
    const card = await nextTopLevel(before, 'the destination consent card');
    before = sim.topLevelMessages(CHANNEL).length;
    world.consentAs(DEST_TENANT);
    expect((await followConsent(world, linkOf(card, 'Grant admin consent'))).status).toBe(200);
    const told = await nextTopLevel(before, 'the destination connected message');
    expect(visibleText(told)).toContain(`Microsoft 365 connected as destination: tenant ${DEST_TENANT}`);
    expect((await app.engine.getProject(actor, PROJECT)).stage).toBe('ready_to_scan');
  }, 60_000);

  it('scans: the counts equal the tenants’ own', async () => {
    await admin.command(`scan ${PROJECT}`);
    const scan = await eventually(async () => {
      const run = await app.engine.latestRun(actor, { project: PROJECT, mode: 'scan' });
      return run && ['completed', 'failed'].includes(run.status) ? run : undefined;
    }, { what: 'the scan', timeoutMs: 60_000 });
    expect(scan.status).toBe('completed');
    const truth = (tenant: string, domain: string, locals: string[]) => locals.map((l) => world.sim.mailbox(tenant, `${l}@${domain}`))
      .reduce((t, m) => ({ mailboxes: t.mailboxes + 1, mail: t.mail + m.messages.length, events: t.events + m.events.length, contacts: t.contacts + m.contacts.length }), { mailboxes: 0, mail: 0, events: 0, contacts: 0 });
    const locals = SOURCE_MAILBOXES.map((m) => m.local);
    expect(scan.summary!.source).toMatchObject(truth(SOURCE_TENANT, SOURCE_DOMAIN, locals));
    expect(scan.summary!.destination).toMatchObject(truth(DEST_TENANT, DEST_DOMAIN, locals.filter((l) => !MISSING.includes(l))));
    expect(scan.summary!.source.mailboxes).toBe(20);
  }, 90_000);

  it('matches: 18 by name, two flagged “create missing” from the card', async () => {
    const before = sim.topLevelMessages(CHANNEL).length;
    await admin.command(`match ${PROJECT}`);
    // On a loaded machine Slack's per-channel post limit can refuse the card twice ("slowed down by Slack", privately):
    // the admin asks again, as a person would.
    const card = await nextTopLevel(before, 'the match card', 20_000, 'Create missing').catch(async () => {
      await admin.command(`match ${PROJECT}`);
      return nextTopLevel(before, 'the match card', 30_000, 'Create missing');
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}; new top-level messages: ${JSON.stringify(newTopLevel(before).map((m) => visibleText(m).slice(0, 600)))}`);
    });
    for (const local of MISSING) {
      const edits = sim.message(card.ts)!.history.length;
      await admin.choose(sim.message(card.ts)!, 'Create missing', { near: `${local}@${SOURCE_DOMAIN}` });
      await eventually(() => sim.message(card.ts)!.history.length > edits, { what: `the match card after creating ${local}` });
    }
    const review = await app.engine.getMatchReview(actor, { project: PROJECT, filter: 'all', pageSize: 50 });
    expect(review.counts).toMatchObject({ matched: 18, create_missing: 2, needs_review: 0 });
  }, 60_000);

  it('launches full: asks for the new users’ location and license, waits for approval, creates them and copies every item once', async () => {
    await app.engine.grantCredits(actor, { amount: 100, reason: 'M365 test' });
    const form = await openModal(admin, `launch ${PROJECT}`);
    expect(JSON.stringify(form)).toContain('EXCHANGESTANDARD');
    const before = sim.topLevelMessages(CHANNEL).length;
    await admin.submit(form, { usageLocation: 'de', skuId: SKU_EXCHANGE });
    const approval = await nextTopLevel(before, 'the approval card', 30_000, 'Approve');
    expect(visibleText(approval)).toContain('Approve');
    await approver.click(approval, 'Approve');
    const run = await eventually(async () => {
      const r = await app.engine.latestRun(actor, { project: PROJECT, mode: 'full' });
      return r && ['completed', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
    }, { what: 'the full run', timeoutMs: 150_000 });
    expect(run.status, JSON.stringify(run.mailboxRuns.filter((m) => m.status !== 'completed').map((m) => [m.mailbox.address, m.error]))).toBe('completed');
    expect(run.options?.createMissing).toEqual({ usageLocation: 'DE', skuId: SKU_EXCHANGE });

    const created = world.sim.users(DEST_TENANT).filter((u) => MISSING.some((l) => u.address === `${l}@${DEST_DOMAIN}`));
    expect(created.map((u) => [u.address, u.usageLocation, u.licensed]).sort()).toEqual(MISSING.map((l) => [`${l}@${DEST_DOMAIN}`, 'DE', [SKU_EXCHANGE]]));
    expect(world.sim.stats.usersCreated).toBe(2);
    const items = expectEveryItemOnce(world.sim, allPairs());
    expect(items).toBe(20 * 7);
    expect(world.sim.stats.draftsCreated).toBe(0);
    expect(world.sim.stats.invitationsSent).toBe(0);
    for (const local of MISSING) {
      const log = await app.engine.mailboxLog(actor, { address: `${local}@${SOURCE_DOMAIN}`, pageSize: 100 });
      expect(log.entries.map((e) => e.message)).toContain(`Created user ${local}@${DEST_DOMAIN}; waiting for the mailbox`);
    }
    // The room mailbox moved for free; every other source mailbox took one credit.
    const credits = await app.engine.credits(actor);
    expect(credits.consumed).toBe(19);
    expect(credits.balance).toBe(81);
    const ledger = await app.engine.exportLedgerCsv(actor);
    expect(ledger).not.toContain(ROOM);
    // No password ever reached the chat.
    for (const m of sim.messages.values()) expect(visibleText(m)).not.toMatch(/password\s*[:=]/i);
  }, 200_000);

  it('delta moves only what is new, still exactly once', async () => {
    world.addMail('user1', 1);
    world.addMail('user15', 2);
    await admin.command(`launch ${PROJECT} delta`);
    const run = await eventually(async () => {
      const r = await app.engine.latestRun(actor, { project: PROJECT, mode: 'delta' });
      return r && ['completed', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
    }, { what: 'the delta run', timeoutMs: 90_000 });
    expect(run.status).toBe('completed');
    expect(run.progress.itemsDone).toBe(2);
    // The run's living card ends complete (and nothing is left editing it when the app stops).
    await eventually(() => sim.topLevelMessages(CHANNEL).some((m) => /Delta run · fab2con/.test(visibleText(m)) && /Run complete/.test(visibleText(m))), { what: 'the completed delta card', timeoutMs: 20_000 });
    expect(expectEveryItemOnce(world.sim, allPairs())).toBe(20 * 7 + 2);
    expect((await app.engine.credits(actor)).consumed).toBe(19);
  }, 120_000);
});
