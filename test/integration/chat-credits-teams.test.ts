/**
 * Credits and approvals driven from Teams, through the protocol only: Bot Framework activities
 * posted to /api/messages of the real app, everything the bot sends captured by the connector
 * simulator. The approval card posted in the channel has its buttons (clients that do not refresh
 * still work) and a Universal Actions refresh for the approvers; a refresh from an approver returns
 * the buttons, from anyone else a read-only view; a
 * non-approver's click is refused privately and audited; an approver's click returns the decided
 * card, the channel message is edited to it, and the run starts and consumes its credits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/engine/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createDatabase } from '../helpers/store.js';
import { ConnectorSimulator, type StoredActivity } from '../simulators/teams/connector-simulator.js';
import { ALEX, MEGAN, TENANT_ID, TeamsClient, channelConversation, type ConversationSpec, type TeamsUser } from '../simulators/teams/activities.js';
import { waitForRun } from './chat-run-setup.js';
import { chargedMailboxes, everyChargedMailboxHasItems, ledgerSum, scannedProject } from './chat-credits-setup.js';

const ORG = `teams:${TENANT_ID}`;
const ADELE: TeamsUser = { id: 'user-id-2', name: 'Adele Vance', aadObjectId: '00000000-0000-0000-0000-0000000000022' };
const channel = channelConversation('credits');
const alex: Actor = { orgId: ORG, userId: ALEX.aadObjectId, userName: ALEX.name, platformAdmin: true };
const GRANTED = 20;
const SEED = 151;

const text = (value: unknown) => JSON.stringify(value);
const cardOf = (a: StoredActivity) => ConnectorSimulator.cardOf(a.activity) as Record<string, unknown>;
const cardText = (a: StoredActivity) => text(cardOf(a));
const messagesIn = (conversationId: string) => sim.sentTo(conversationId).filter((a) => a.activity.type === 'message');
const privateChat = (user: { id: string }): ConversationSpec => ({ id: `a:1on1-${user.id}`, type: 'personal' });
/** Action.Execute verbs a card offers (body and actions; the refresh is not a button). */
function buttons(card: unknown): string[] {
  const found: string[] = [];
  const { refresh: _refresh, ...rest } = (card ?? {}) as Record<string, unknown>;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'Action.Execute') found.push(String(o.verb));
      Object.values(o).forEach(walk);
    }
  };
  walk(rest);
  return found;
}

let app: TestApp;
let client: TeamsClient;
let drop: () => Promise<void>;
let charged: number;
const sim = new ConnectorSimulator();

beforeAll(async () => {
  const db = await createDatabase();
  drop = db.drop;
  await sim.start();
  app = await startTestApp({ MAILFERRY_ADMINS: ALEX.aadObjectId, DATABASE_URL: db.databaseUrl });
  client = new TeamsClient(app.url, sim.url);
  // The channel's conversation reference is stored on first contact.
  await client.send(ALEX, channel, 'help');
  await app.engine.grantRole(alex, { userId: MEGAN.aadObjectId, role: 'approver' });
  await app.engine.grantRole(alex, { userId: ADELE.aadObjectId, role: 'helpdesk' });
  // Megan has talked to the bot once: it knows her MRI, which card refreshes need.
  await client.send(MEGAN, channel, 'help');
  const source = await scannedProject(app.engine, alex, 'credco', `teams:${channel.id}`, SEED, 12);
  charged = chargedMailboxes(source);
  expect(everyChargedMailboxHasItems(source)).toBe(true);
  await scannedProject(app.engine, alex, 'bigger', `teams:${channel.id}`, SEED + 10, 12);
  await scannedProject(app.engine, alex, 'tiny', `teams:${channel.id}`, SEED + 20, 3);
  await app.engine.grantCredits(alex, { amount: GRANTED, reason: 'test purchase' });
  await sim.waitFor(() => messagesIn(channel.id).filter((a) => cardText(a).includes('Scan complete')).length === 3, 30_000);
}, 90_000);

afterAll(async () => {
  await app?.close();
  await sim.stop();
  await drop?.();
});

describe('Teams: credits and approvals in chat', () => {
  let holdId = '';
  let approval: StoredActivity;

  it('launch posts one approval card whose refresh goes to the approvers', async () => {
    const before = messagesIn(channel.id).length;
    const res = await client.send(ALEX, channel, 'launch credco full');
    expect(res.status).toBe(200);
    const posted = messagesIn(channel.id).slice(before);
    expect(posted).toHaveLength(1);
    approval = posted[0]!;
    const [hold] = await app.engine.listHolds(alex, { status: ['pending_approval'] });
    holdId = hold!.id;
    expect(hold!.approverIds).toContain(MEGAN.aadObjectId);
    expect(hold!.approverIds).not.toContain(ADELE.aadObjectId);
    // Alex is an operator (MAILFERRY_ADMINS) with no stored role: the server accepts him as approver, so he is listed too.
    expect(hold!.approverIds).toContain(ALEX.aadObjectId);
    expect(hold!.approverChatIds).toContain(ALEX.id);
    const card = cardOf(approval);
    expect(card.refresh).toEqual({ action: { type: 'Action.Execute', verb: 'hold.refresh', data: { holdId } }, userIds: hold!.approverChatIds });
    // Teams names users by MRI in refresh.userIds: Megan (who has talked to the bot) by hers, not by her aadObjectId.
    expect(hold!.approverChatIds).toContain(MEGAN.id);
    expect(hold!.approverChatIds).not.toContain(MEGAN.aadObjectId);
    // The base card works in clients that never refresh (the Agents Playground); the engine re-checks each click.
    expect(buttons(card)).toEqual(expect.arrayContaining(['hold.approve', 'hold.reject']));
    expect(cardText(approval)).toContain('Approval · Full run · credco');
    expect(cardText(approval)).toContain(`${charged} credits for 12 mailboxes`);
    expect(cardText(approval)).toContain('approvers and admins');
  });

  it('a refresh from an approver returns Approve and Reject; from anyone else no buttons to decide', async () => {
    const forMegan = await client.click(MEGAN, channel, 'hold.refresh', { holdId }, approval.id);
    expect(forMegan.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(buttons((forMegan.body as { value: unknown }).value)).toEqual(['hold.approve', 'hold.reject', 'hold.page']);
    const forAdele = await client.click(ADELE, channel, 'hold.refresh', { holdId }, approval.id);
    expect(forAdele.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(buttons((forAdele.body as { value: unknown }).value)).toEqual(['hold.page']);
    // The launcher is an admin but may not approve their own run: no buttons for Alex either.
    const forAlex = await client.click(ALEX, channel, 'hold.refresh', { holdId }, approval.id);
    expect(buttons((forAlex.body as { value: unknown }).value)).toEqual(['hold.page']);
  });

  it('a non-approver clicking Approve is refused privately and audited; the card is unchanged', async () => {
    const versions = approval.versions;
    const res = await client.click(ADELE, channel, 'hold.approve', { holdId }, approval.id);
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
    expect(text(res.body)).toMatch(/can't|can’t/);
    const audit = await app.engine.listAudit(ORG, 50);
    expect(audit).toEqual(expect.arrayContaining([expect.objectContaining({ actor: ADELE.aadObjectId, action: 'hold.approve', outcome: 'denied' })]));
    expect(approval.versions).toBe(versions);
    expect((await app.engine.getHold(alex, holdId)).status).toBe('pending_approval');
  });

  it('an approver approves: the invoke returns the decided card, the channel card is edited to it, the run starts and consumes its credits', async () => {
    const before = messagesIn(channel.id).length;
    const res = await client.click(MEGAN, channel, 'hold.approve', { holdId }, approval.id);
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    const decided = (res.body as { value: Record<string, unknown> }).value;
    expect(text(decided)).toMatch(/Approved by Megan Bowen at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(buttons(decided)).toEqual([]);
    expect(decided.refresh).toBeUndefined();
    // Everyone's copy: the notifier edits the channel message (hold.decided).
    await sim.waitFor(() => cardText(approval).includes('Approved by Megan Bowen'));
    expect(buttons(cardOf(approval))).toEqual([]);
    expect(cardOf(approval).refresh).toBeUndefined();

    const run = await waitForRun(app.engine, alex, 'credco', 'full', 60_000);
    expect(run.status).toBe('completed');
    const runCards = await sim.waitFor(() => { const m = messagesIn(channel.id).slice(before).filter((a) => cardText(a).includes('Full run · credco')); return m.length ? m : null; });
    expect(runCards).toHaveLength(1);
    await sim.waitFor(() => cardText(runCards[0]!).includes('Run complete'), 30_000);
    expect(await app.engine.getHold(alex, holdId)).toMatchObject({ consumed: charged, released: 0, decidedBy: MEGAN.aadObjectId });
  }, 120_000);

  it('a second decision names who decided first and returns the decided card', async () => {
    const res = await client.click(ALEX, channel, 'hold.reject', { holdId }, approval.id);
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(buttons((res.body as { value: unknown }).value)).toEqual([]);
    const dm = privateChat(ALEX);
    const note = await sim.waitFor(() => messagesIn(dm.id).find((a) => cardText(a).includes('Already decided')));
    expect(cardText(note)).toContain('Approved by Megan Bowen');
  });

  it('credits answers in a 1:1 chat: consumed = mailboxes copied, held 0, available = granted − consumed; the ledger adds up', async () => {
    const inChannel = messagesIn(channel.id).length;
    const dm = privateChat(ADELE);
    const seen = messagesIn(dm.id).length;
    await client.send(ADELE, channel, 'credits');
    const [answer] = await sim.waitFor(() => { const a = messagesIn(dm.id).slice(seen); return a.length ? a : null; });
    const card = cardText(answer!);
    expect(card).toContain(`"title":"Consumed","value":"${charged}"`);
    expect(card).toContain('"title":"Held","value":"0"');
    expect(card).toContain(`"title":"Available","value":"${GRANTED - charged}"`);
    expect(messagesIn(channel.id)).toHaveLength(inChannel);
    const info = await app.engine.credits(alex);
    expect(info).toMatchObject({ balance: GRANTED - charged, held: 0, consumed: charged });
    expect(await ledgerSum(app.engine, alex)).toBe(info.balance);
  });

  it('a full run launched outside chat (the CLI) still gets its approval card in the project channel, once', async () => {
    const before = messagesIn(channel.id).length;
    const cli: Actor = { orgId: ORG, userId: 'cli:ops', userName: 'cli:ops', platformAdmin: true };
    const run = await app.engine.launchRun(cli, { project: 'tiny', mode: 'full' });
    expect(run.status).toBe('pending_approval');
    const [card] = await sim.waitFor(() => { const m = messagesIn(channel.id).slice(before); return m.length ? m : null; }, 20_000);
    expect(cardText(card!)).toContain('Approval · Full run · tiny');
    expect((cardOf(card!).refresh as { userIds: string[] }).userIds).toEqual(run.hold!.approverChatIds);
    await new Promise((r) => setTimeout(r, 500));
    expect(messagesIn(channel.id).slice(before)).toHaveLength(1);
    await app.engine.decideHold(alex, { holdId: run.hold!.id, decision: 'reject' });
    await sim.waitFor(() => cardText(card!).includes('Rejected by Alex Wilber'));
    expect(buttons(cardOf(card!))).toEqual([]);
  }, 40_000);

  it('without enough credits: the shortfall card in the channel, no hold and no run', async () => {
    const before = messagesIn(channel.id).length;
    await client.send(ALEX, channel, 'launch bigger');
    const posted = messagesIn(channel.id).slice(before);
    expect(posted).toHaveLength(1);
    const card = cardText(posted[0]!);
    expect(card).toContain('Not enough credits for a full run of bigger');
    expect(card).toContain(`"title":"Shortfall","value":"${charged - (GRANTED - charged)} credits"`);
    expect(buttons(cardOf(posted[0]!))).toEqual([]);
    expect(await app.engine.listHolds(alex, { status: ['pending_approval'] })).toEqual([]);
    expect(await app.engine.latestRun(alex, { project: 'bigger', mode: 'full' })).toBeNull();
  });
});
