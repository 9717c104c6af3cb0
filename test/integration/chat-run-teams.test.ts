/**
 * A 1,000-mailbox sandbox → sandbox migration run driven from Teams, through the protocol only:
 * Bot Framework activities posted to /api/messages of the real app, everything the bot sends
 * captured by the connector simulator. One top-level message for the run, edited (PUT) at most
 * every 5 s, ending completed with the right totals and a 100 % verification in its thread;
 * mailbox status and logs answer in a 1:1 chat, pages turn through the invoke response.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/engine/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createDatabase } from '../helpers/store.js';
import { ConnectorSimulator, type StoredActivity } from '../simulators/teams/connector-simulator.js';
import { ALEX, MEGAN, TENANT_ID, TeamsClient, channelConversation, type ConversationSpec } from '../simulators/teams/activities.js';
import { MAILBOXES, createSandboxProject, createThrottledProject, expectedItems, gaps, sandboxPair, throttledPair, waitForRun } from './chat-run-setup.js';

const ORG = `teams:${TENANT_ID}`;
const channel = channelConversation('runs');
const alex: Actor = { orgId: ORG, userId: ALEX.aadObjectId, userName: ALEX.name, platformAdmin: true };
const SEED = 91;
const { source } = sandboxPair(SEED);
const address = `user1@${source.domain}`;
const tinyAddress = `user1@${throttledPair(SEED).source.domain}`;
const n = (x: number) => x.toLocaleString('en-US');

const text = (value: unknown) => JSON.stringify(value);
const cardText = (a: StoredActivity) => text(ConnectorSimulator.cardOf(a.activity));
/** Messages the bot created in a conversation (typing indicators are not messages). */
const messagesIn = (conversationId: string) => sim.sentTo(conversationId).filter((a) => a.activity.type === 'message');
/** The 1:1 chat the bot opens with a user for private answers. */
const privateChat = (user: { id: string }): ConversationSpec => ({ id: `a:1on1-${user.id}`, type: 'personal' });

let app: TestApp;
let client: TeamsClient;
let drop: () => Promise<void>;
const sim = new ConnectorSimulator();

beforeAll(async () => {
  const db = await createDatabase();
  drop = db.drop;
  await sim.start();
  app = await startTestApp({ MAILFERRY_ADMINS: ALEX.aadObjectId, DATABASE_URL: db.databaseUrl });
  client = new TeamsClient(app.url, sim.url);
  await createSandboxProject(app.engine, alex, 'bigco', `teams:${channel.id}`, SEED);
  await createThrottledProject(app.engine, alex, 'tiny', `teams:${channel.id}`, SEED);
});

afterAll(async () => {
  await app?.close();
  await sim.stop();
  await drop?.();
});

describe('Teams: a 1,000-mailbox run in chat', () => {
  it('scan, then launch: one top-level card edited at most every 5 s, ending completed with the totals and 100 % verified', async () => {
    await client.send(ALEX, channel, 'scan bigco');
    expect((await waitForRun(app.engine, alex, 'bigco', 'scan', 30_000)).status).toBe('completed');
    expect((await app.engine.getMatchReview(alex, { project: 'bigco', filter: 'all', pageSize: 1 })).counts).toMatchObject({ matched: MAILBOXES });

    const before = messagesIn(channel.id).length;
    const res = await client.send(ALEX, channel, 'launch bigco');
    expect(res.status).toBe(200);
    const posted = messagesIn(channel.id).slice(before);
    expect(posted).toHaveLength(1);
    const living = posted[0]!;
    expect(cardText(living)).toContain('Full run · bigco');
    expect(cardText(living)).toContain('run.cancel');

    await sim.waitFor(() => cardText(living).includes('Run complete'), 170_000);
    const card = cardText(living);
    expect(card).toContain(`All ${n(MAILBOXES)} mailboxes copied.`);
    expect(card).toContain(`${n(MAILBOXES)} done · 0 failed · ${n(MAILBOXES)} in all`);
    expect(card).toContain(`"title":"Items moved","value":"${n(expectedItems(source))}"`);
    expect(card).toContain('Verification: 100 % consistent');
    expect(card).toContain(`Started by ${ALEX.name}`);
    expect(card).not.toContain(`Started by ${ALEX.aadObjectId}`);
    expect(card).not.toContain('run.cancel');

    // Every change was a PUT of that one activity, at least 5 s apart.
    const puts = sim.calls.filter((c) => c.method === 'PUT' && c.activityId === living.id && c.status === 200);
    expect(puts.length).toBe(living.versions - 1);
    expect(puts.length).toBeGreaterThanOrEqual(2);
    for (const gap of gaps(puts.map((p) => p.at))) expect(gap).toBeGreaterThanOrEqual(4990);

    // The verification card is a reply in the card's thread; the run has one top-level message.
    const replies = await sim.waitFor(() => { const r = messagesIn(channel.id).filter((a) => a.replyToId === living.id); return r.length ? r : null; });
    expect(cardText(replies[0]!)).toMatch(/Verification · bigco.*100 % consistent/);
    await new Promise((r) => setTimeout(r, 1000));
    expect(messagesIn(channel.id).slice(before).filter((a) => a.replyToId !== living.id)).toEqual([living]);
  }, 240_000);

  it('status <address> answers in a 1:1 chat with that mailbox’s card, nothing in the channel', async () => {
    const inChannel = messagesIn(channel.id).length;
    const dm = privateChat(ALEX);
    const seen = messagesIn(dm.id).length;
    await client.send(ALEX, channel, `status ${address}`);
    const [answer] = await sim.waitFor(() => { const a = messagesIn(dm.id).slice(seen); return a.length ? a : null; });
    const card = cardText(answer!);
    expect(card).toContain(address);
    expect(card).toContain('▓▓▓▓▓▓▓▓▓▓ 100 %');
    expect(card).toMatch(/items\/min/);
    expect(card).toContain('mailbox.log');
    expect(messagesIn(channel.id)).toHaveLength(inChannel);
  });

  it('throttling alerts go into the run card’s thread, one per mailbox per minute', async () => {
    await client.send(ALEX, channel, 'scan tiny');
    expect((await waitForRun(app.engine, alex, 'tiny', 'scan', 30_000)).status).toBe('completed');
    const before = messagesIn(channel.id).length;
    await client.send(ALEX, channel, 'launch tiny');
    const [living] = messagesIn(channel.id).slice(before);
    await sim.waitFor(() => cardText(living!).includes('Run complete'), 60_000);
    await sim.waitFor(() => messagesIn(channel.id).some((a) => a.replyToId === living!.id && cardText(a).includes('Verification · tiny')));
    await new Promise((r) => setTimeout(r, 1500));
    const thread = messagesIn(channel.id).filter((a) => a.replyToId === living!.id).map(cardText);
    const alerts = thread.filter((t) => /throttled by destination/i.test(t));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain(tinyAddress);
    expect(messagesIn(channel.id).slice(before).filter((a) => a.replyToId !== living!.id)).toEqual([living]);
  }, 90_000);

  it('log <address> pages: the first page privately, the others through the invoke response', async () => {
    const log = await app.engine.mailboxLog(alex, { address: tinyAddress, pageSize: 100 });
    const pages = Math.ceil(log.total / 10);
    expect(pages).toBeGreaterThanOrEqual(2);
    const dm = privateChat(ALEX);
    const seen = messagesIn(dm.id).length;
    await client.send(ALEX, channel, `log ${tinyAddress}`);
    const [first] = await sim.waitFor(() => { const a = messagesIn(dm.id).slice(seen); return a.length ? a : null; });
    expect(cardText(first!)).toContain(`Log · ${tinyAddress}`);
    expect(cardText(first!)).toContain(`page 1 of ${pages}`);
    expect(cardText(first!)).toContain(log.entries[0]!.message);
    const next = await client.click(ALEX, dm, 'mailbox.log', { address: tinyAddress, page: 1 }, first!.id);
    expect(next.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(text(next.body)).toContain(`page 2 of ${pages}`);
    expect(text(next.body)).toContain(log.entries[10]!.message);
    const last = await client.click(ALEX, dm, 'mailbox.log', { address: tinyAddress, page: pages - 1 }, first!.id);
    expect(text(last.body)).toContain(`page ${pages} of ${pages}`);
    expect(text(last.body)).toContain(log.entries.at(-1)!.message);
  });

  it('refuses a user without a role privately, in a 1:1 chat', async () => {
    const inChannel = messagesIn(channel.id).length;
    const dm = privateChat(MEGAN);
    const seen = messagesIn(dm.id).length;
    await client.send(MEGAN, channel, `status ${address}`);
    const [answer] = await sim.waitFor(() => { const a = messagesIn(dm.id).slice(seen); return a.length ? a : null; });
    expect(cardText(answer!)).toMatch(/can't|can’t/);
    expect(cardText(answer!)).not.toContain('100 %');
    const click = await client.click(MEGAN, channel, 'run.launch', { projectId: 'bigco', mode: 'retry' });
    expect(click.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
    expect(messagesIn(channel.id)).toHaveLength(inChannel);
  });
});

describe('Teams: cancelling a run', () => {
  it('the card’s Cancel button stops the run and turns the card to cancelled; cancelling again says there is nothing to cancel', async () => {
    const before = messagesIn(channel.id).length;
    await client.send(ALEX, channel, 'launch bigco delta');
    const [living] = messagesIn(channel.id).slice(before);
    expect(cardText(living!)).toContain('Delta run · bigco');
    const project = await app.engine.getProject(alex, 'bigco');
    const res = await client.click(ALEX, channel, 'run.cancel', { projectId: project.id }, living!.id);
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(text(res.body)).toContain('Run cancelled');
    expect(text(res.body)).not.toContain('run.cancel');
    expect((await app.engine.latestRun(alex, { project: 'bigco', mode: 'delta' }))?.status).toBe('cancelled');

    const dm = privateChat(ALEX);
    const seen = messagesIn(dm.id).length;
    await client.send(ALEX, channel, 'cancel bigco');
    const [answer] = await sim.waitFor(() => { const a = messagesIn(dm.id).slice(seen); return a.length ? a : null; });
    expect(cardText(answer!)).toMatch(/no active run to cancel/);
  }, 60_000);
});
