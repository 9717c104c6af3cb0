/**
 * Microsoft 365 → Microsoft 365 from Teams, through the protocols only: Bot Framework activities
 * posted to /api/messages, everything the bot sends captured by the connector simulator, the Graph
 * simulator standing in for both tenants. Guided consent for both sides, a wrong client secret on
 * the manual form, scan, match with two users to create, a full run that creates them (approved
 * by an approver on the card), then a delta.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/engine/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createDatabase } from '../helpers/store.js';
import { ConnectorSimulator, type StoredActivity } from '../simulators/teams/connector-simulator.js';
import { ALEX, MEGAN, TENANT_ID, TeamsClient, channelConversation } from '../simulators/teams/activities.js';
import {
  DEST_DOMAIN, DEST_TENANT, MISSING, OWN_APP, ROOM, SKU_E3, SOURCE_DOMAIN, SOURCE_MAILBOXES, SOURCE_TENANT,
  allPairs, dropWhenIdle, expectEveryItemOnce, followConsent, startM365World, type M365World,
} from './m365-chat-setup.js';

const ORG = `teams:${TENANT_ID}`;
const channel = channelConversation('m365');
const alex: Actor = { orgId: ORG, userId: ALEX.aadObjectId, userName: ALEX.name, platformAdmin: true };
const PROJECT = 'fabteams';

type Card = Record<string, unknown>;
const text = (value: unknown) => JSON.stringify(value);
const cardText = (a: StoredActivity) => text(ConnectorSimulator.cardOf(a.activity));
const cardOf = (body: unknown): Card => {
  expect(body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  return (body as { value: Card }).value;
};

/** The url of the card's Action.OpenUrl titled `title`. */
function openUrl(card: unknown, title: string): string {
  let url: string | undefined;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Card;
      if (o.type === 'Action.OpenUrl' && o.title === title && typeof o.url === 'string') url = o.url;
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  if (!url) throw new Error(`no “${title}” link in ${text(card)}`);
  return url;
}

let world: M365World;
let app: TestApp;
let client: TeamsClient;
let drop: () => Promise<void>;
let databaseUrl = '';
const sim = new ConnectorSimulator();
const messagesIn = () => sim.sentTo(channel.id).filter((a) => a.activity.type === 'message');
/** The project's latest run of `mode`, once it has ended. */
async function finished(mode: 'scan' | 'full' | 'delta', ms: number) {
  for (const deadline = Date.now() + ms; ;) {
    const run = await app.engine.latestRun(alex, { project: PROJECT, mode });
    if (run && ['completed', 'failed', 'cancelled'].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`the ${mode} run did not finish: ${run?.status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
const nextMessage = (after: number, what: string) => sim.waitFor(() => messagesIn()[after] ?? null, 30_000).catch(() => { throw new Error(`no ${what}`); });

beforeAll(async () => {
  world = await startM365World();
  const db = await createDatabase();
  drop = db.drop;
  databaseUrl = db.databaseUrl;
  await sim.start();
  app = await startTestApp({ MAILFERRY_ADMINS: ALEX.aadObjectId, DATABASE_URL: db.databaseUrl, ...world.env });
  client = new TeamsClient(app.url, sim.url);
  await app.engine.grantRole(alex, { userId: MEGAN.aadObjectId, role: 'approver' });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await sim.stop();
  await world?.sim.close();
  if (drop) await dropWhenIdle(databaseUrl, drop);
});

describe('Teams: Microsoft 365 → Microsoft 365 by guided consent', () => {
  let projectId = '';

  it('creates the project and connects the source by guided consent: the channel hears the tenant', async () => {
    await client.send(ALEX, channel, 'new');
    const created = cardOf((await client.click(ALEX, channel, 'project.create', { name: PROJECT, source: 'm365', destination: 'm365' })).body);
    expect(text(created)).toContain(PROJECT);
    projectId = (await app.engine.getProject(alex, PROJECT)).id;

    let before = messagesIn().length;
    await client.send(ALEX, channel, `connect ${PROJECT} source`);
    const card = ConnectorSimulator.cardOf((await nextMessage(before, 'consent card')).activity);
    expect(text(card)).toContain('Organization.Read.All');
    expect(text(card)).toContain('Enter tenant credentials');
    const url = openUrl(card, 'Grant admin consent');
    expect(url.startsWith(`${world.sim.authorityHost}/organizations/v2.0/adminconsent?`)).toBe(true);

    before = messagesIn().length;
    world.consentAs(SOURCE_TENANT);
    const page = await followConsent(world, url);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Microsoft 365 connected');
    const told = await nextMessage(before, 'connected message');
    expect(cardText(told)).toContain(`Microsoft 365 connected as source: tenant ${SOURCE_TENANT}`);
  }, 60_000);

  it('a wrong client secret on the manual form names AADSTS7000215 and the fix; nothing is saved', async () => {
    const form = cardOf((await client.click(ALEX, channel, 'connect.open', { projectId, side: 'destination', manual: true })).body);
    expect(text(form)).toContain('clientSecret');
    const answer = cardOf((await client.click(ALEX, channel, 'connect.save', { projectId, side: 'destination', tenantId: DEST_TENANT, clientId: OWN_APP.clientId, clientSecret: 'wrong-secret' })).body);
    expect(text(answer)).toContain('AADSTS7000215');
    expect(text(answer)).toContain('Value (not its ID)');
    expect(text(answer)).toContain('Nothing was saved');
    expect(text(answer)).not.toContain('wrong-secret');
    expect((await app.engine.getProject(alex, PROJECT)).connections.map((c) => c.side)).toEqual(['source']);
  }, 60_000);

  it('connects the destination by guided consent in the other tenant', async () => {
    let before = messagesIn().length;
    await client.send(ALEX, channel, `connect ${PROJECT} destination`);
    const card = ConnectorSimulator.cardOf((await nextMessage(before, 'destination consent card')).activity);
    before = messagesIn().length;
    world.consentAs(DEST_TENANT);
    expect((await followConsent(world, openUrl(card, 'Grant admin consent'))).status).toBe(200);
    expect(cardText(await nextMessage(before, 'destination connected message'))).toContain(`Microsoft 365 connected as destination: tenant ${DEST_TENANT}`);
  }, 60_000);

  it('scans (counts equal the tenants’ own) and flags the two missing users “create missing” on the card', async () => {
    await client.send(ALEX, channel, `scan ${PROJECT}`);
    const scan = await finished('scan', 60_000);
    expect(scan.status).toBe('completed');
    const mail = SOURCE_MAILBOXES.reduce((n, m) => n + world.sim.mailbox(SOURCE_TENANT, `${m.local}@${SOURCE_DOMAIN}`).messages.length, 0);
    expect(scan.summary!.source).toMatchObject({ mailboxes: 20, mail, events: 20, contacts: 20 });
    expect(scan.summary!.destination).toMatchObject({ mailboxes: 18, mail: 0 });

    const review = await app.engine.getMatchReview(alex, { project: PROJECT, filter: 'all', pageSize: 50 });
    for (const local of MISSING) {
      const row = review.rows.find((r) => r.source.address === `${local}@${SOURCE_DOMAIN}`)!;
      const card = cardOf((await client.click(ALEX, channel, 'mapping.create_missing', { projectId, mappingId: row.id, filter: 'all', page: 0 })).body);
      expect(text(card)).toContain('Match review');
    }
    expect((await app.engine.getMatchReview(alex, { project: PROJECT })).counts).toMatchObject({ matched: 18, create_missing: 2, needs_review: 0 });
  }, 90_000);

  it('launches full: the form asks for location and license, an approver approves on the card, the users are created and every item moves once', async () => {
    await app.engine.grantCredits(alex, { amount: 100, reason: 'M365 test' });
    let before = messagesIn().length;
    await client.send(ALEX, channel, `launch ${PROJECT}`);
    const form = ConnectorSimulator.cardOf((await nextMessage(before, 'create-missing form')).activity);
    expect(text(form)).toContain('ENTERPRISEPACK');
    expect(text(form)).toContain('run.create_missing');

    before = messagesIn().length;
    await client.click(ALEX, channel, 'run.create_missing', { projectId, usageLocation: 'FR', skuId: SKU_E3 });
    const approval = await nextMessage(before, 'approval card');
    expect(cardText(approval)).toMatch(/Approval|approve/i);
    const hold = (await app.engine.listHolds(alex))[0]!;
    expect(hold.lines.find((l) => l.sourceAddress === ROOM)).toMatchObject({ credits: 0 });
    const decided = await client.click(MEGAN, channel, 'hold.approve', { holdId: hold.id }, approval.id);
    expect(decided.status).toBe(200);

    const run = await finished('full', 150_000);
    expect(run.status).toBe('completed');
    const created = world.sim.users(DEST_TENANT).filter((u) => MISSING.some((l) => u.address === `${l}@${DEST_DOMAIN}`));
    expect(created.map((u) => [u.address, u.usageLocation, u.licensed]).sort()).toEqual(MISSING.map((l) => [`${l}@${DEST_DOMAIN}`, 'FR', [SKU_E3]]));
    expect(expectEveryItemOnce(world.sim, allPairs())).toBe(20 * 7);
    expect(world.sim.stats).toMatchObject({ draftsCreated: 0, invitationsSent: 0, usersCreated: 2 });
    const credits = await app.engine.credits(alex);
    expect(credits).toMatchObject({ consumed: 19, licenses: 19 });
    expect(await app.engine.exportLedgerCsv(alex)).not.toContain(ROOM);
  }, 200_000);

  it('delta moves only what is new, still exactly once, for free', async () => {
    world.addMail('user16', 1);
    await client.send(ALEX, channel, `launch ${PROJECT} delta`);
    const run = await finished('delta', 90_000);
    expect(run.status).toBe('completed');
    expect(run.progress.itemsDone).toBe(1);
    // The run's living card ends complete (and nothing is left editing it when the app stops).
    await sim.waitFor(() => messagesIn().some((a) => cardText(a).includes(`Delta run · ${PROJECT}`) && cardText(a).includes('Run complete')), 20_000);
    expect(expectEveryItemOnce(world.sim, allPairs())).toBe(20 * 7 + 1);
    expect((await app.engine.credits(alex)).consumed).toBe(19);
  }, 120_000);
});
