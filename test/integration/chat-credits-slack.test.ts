/**
 * Credits and approvals driven from Slack, through the protocol: signed slash commands and button
 * clicks into the real app, answers observed in the Slack Web API simulator. A full run that needs
 * credits posts an approval card; a non-approver's click is refused privately and audited; the
 * launcher cannot approve their own; an approver's click turns the card to "approved", the run
 * starts and consumes one credit per mailbox; a launch without enough credits gets the shortfall.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/engine/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createDatabase } from '../helpers/store.js';
import { SlackApiSimulator, type SimEphemeral, type SimMessage } from '../simulators/slack/slack-api-simulator.js';
import { SlackTestUser } from '../simulators/slack/slack-test-user.js';
import { eventually } from '../simulators/slack/eventually.js';
import { waitForRun } from './chat-run-setup.js';
import { chargedMailboxes, everyChargedMailboxHasItems, ledgerSum, scannedProject } from './chat-credits-setup.js';
import { visibleText } from '../simulators/slack/slack-visible-text.js';

const SECRET = 'credits-signing-secret';
const TOKEN = 'xoxb-credits';
const TEAM = 'TCRED';
const CHANNEL = 'CCREDITS';
const FINANCE = 'CFINANCE';
const OPS = 'COPS';
const ADMIN = 'UCREDADMIN';
const APPROVER = 'UCREDAPPROVER';
const HELPDESK = 'UCREDHELP';
const GRANTED = 20;
const SEED = 131;

const hasButtons = (m: { blocks?: unknown }) => ((m.blocks as { type: string }[] | undefined) ?? []).some((b) => b.type === 'actions');

describe('Slack: credits and approvals in chat', () => {
  let sim: SlackApiSimulator;
  let app: TestApp;
  let drop: () => Promise<void>;
  let admin: SlackTestUser;
  let approver: SlackTestUser;
  let helpdesk: SlackTestUser;
  let adminInFinance: SlackTestUser;
  let adminInOps: SlackTestUser;
  let charged: number;
  const actor: Actor = { orgId: `slack:${TEAM}`, userId: ADMIN, userName: 'Ada Admin', platformAdmin: true };
  const ephemeralsFor = (user: string, after: number): SimEphemeral[] => sim.ephemerals.slice(after).filter((e) => e.user === user);
  const newTopLevel = async (before: number, what: string): Promise<SimMessage[]> =>
    eventually(() => { const m = sim.topLevelMessages(CHANNEL).slice(before); return m.length ? m : undefined; }, { what });

  beforeAll(async () => {
    const db = await createDatabase();
    drop = db.drop;
    sim = await SlackApiSimulator.start({ botToken: TOKEN, teamId: TEAM });
    sim.addUser({ id: ADMIN, name: 'ada', realName: 'Ada Admin' });
    sim.addUser({ id: APPROVER, name: 'aria', realName: 'Aria Approver' });
    sim.addUser({ id: HELPDESK, name: 'hal', realName: 'Hal Helpdesk' });
    app = await startTestApp({ SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: sim.apiUrl, MAILFERRY_ADMINS: ADMIN, DATABASE_URL: db.databaseUrl });
    const channel = { teamId: TEAM, teamDomain: 'credcorp', channelId: CHANNEL };
    const user = (userId: string, userName: string) => new SlackTestUser(sim, `${app.url}/slack/events`, SECRET, { userId, userName, ...channel });
    admin = user(ADMIN, 'ada');
    approver = user(APPROVER, 'aria');
    helpdesk = user(HELPDESK, 'hal');
    adminInFinance = new SlackTestUser(sim, `${app.url}/slack/events`, SECRET, { userId: ADMIN, userName: 'ada', ...channel, channelId: FINANCE });
    adminInOps = new SlackTestUser(sim, `${app.url}/slack/events`, SECRET, { userId: ADMIN, userName: 'ada', ...channel, channelId: OPS });
    await app.engine.grantRole(actor, { userId: APPROVER, role: 'approver' });
    await app.engine.grantRole(actor, { userId: HELPDESK, role: 'helpdesk' });
    const source = await scannedProject(app.engine, actor, 'credco', `slack:${TEAM}:${CHANNEL}`, SEED, 12);
    charged = chargedMailboxes(source);
    expect(charged).toBe(11);
    expect(everyChargedMailboxHasItems(source)).toBe(true);
    await scannedProject(app.engine, actor, 'bigger', `slack:${TEAM}:${CHANNEL}`, SEED + 10, 12);
    await scannedProject(app.engine, actor, 'tiny', `slack:${TEAM}:${CHANNEL}`, SEED + 20, 3);
    await app.engine.grantCredits(actor, { amount: GRANTED, reason: 'test purchase' });
    // Scans started from the engine get their cards from the notifier: let both land first.
    await eventually(() => sim.topLevelMessages(CHANNEL).filter((m) => /Scan complete/.test(visibleText(m))).length === 3, { what: 'the scan cards', timeoutMs: 30_000 });
  }, 90_000);

  afterAll(async () => {
    await app?.close();
    await sim?.close();
    await drop?.();
  });

  it('subscribe: other channels follow the project’s credits, or its progress and health', async () => {
    await adminInOps.command('subscribe credco progress health');
    await eventually(() => sim.topLevelMessages(OPS).length === 1, { what: 'the ops subscription notice' });
    expect(visibleText(sim.topLevelMessages(OPS)[0]!)).toContain('It gets run progress, mailbox health alerts.');
    await adminInFinance.command('subscribe credco credits');
    const [notice] = await eventually(() => { const m = sim.topLevelMessages(FINANCE); return m.length ? m : undefined; }, { what: 'the subscription notice' });
    expect(visibleText(notice!)).toContain('This channel follows credco');
    expect(visibleText(notice!)).toContain('credit balance changes');
    expect(await app.engine.subscribers({ orgId: actor.orgId, topic: 'credits' })).toEqual([expect.objectContaining({ channelKey: `slack:${TEAM}:${FINANCE}`, topics: ['credits'] })]);
  });

  it('a full run posts one approval card; a non-approver and the launcher are refused privately; an approver approves and the run consumes one credit per mailbox', async () => {
    const before = sim.topLevelMessages(CHANNEL).length;
    await admin.command('launch credco full');
    const [card] = await newTopLevel(before, 'the approval card');
    const holds = await app.engine.listHolds(actor, { status: ['pending_approval'] });
    expect(holds).toHaveLength(1);
    const hold = holds[0]!;
    expect(hold).toMatchObject({ projectName: 'credco', amount: charged, availableBefore: GRANTED, availableAfter: GRANTED - charged });
    const text = visibleText(card!);
    expect(text).toContain('Approval · Full run · credco');
    expect(text).toContain(`${charged} credits for 12 mailboxes`);
    expect(text).toContain(`${GRANTED} → ${GRANTED - charged}`);
    expect(text).toContain('resource mailbox: free');
    expect(text).toContain('…and 2 more mailboxes');
    expect(text).toContain(`<@${APPROVER}>`);
    // No run card yet: the run waits for its credits.
    await new Promise((r) => setTimeout(r, 500));
    expect(sim.topLevelMessages(CHANNEL).slice(before)).toHaveLength(1);

    // A helpdesk user clicks Approve: refused privately, audited, the card unchanged.
    let seen = sim.ephemerals.length;
    await helpdesk.click(card!, 'Approve');
    const [refusal] = await eventually(() => { const e = ephemeralsFor(HELPDESK, seen); return e.length ? e : undefined; }, { what: 'the private refusal' });
    expect(visibleText(refusal!)).toMatch(/You can't/);
    const audit = await app.engine.listAudit(actor.orgId, 50);
    expect(audit).toEqual(expect.arrayContaining([expect.objectContaining({ actor: HELPDESK, action: 'hold.approve', outcome: 'denied' })]));
    expect(sim.message(card!.ts)!.history).toHaveLength(0);

    // The launcher may not approve their own run (the org does not allow it).
    seen = sim.ephemerals.length;
    await admin.click(card!, 'Approve');
    const [own] = await eventually(() => { const e = ephemeralsFor(ADMIN, seen); return e.length ? e : undefined; }, { what: 'the self-approval refusal' });
    expect(visibleText(own!)).toMatch(/another approver or admin must approve/);
    expect(sim.message(card!.ts)!.history).toHaveLength(0);

    // Page 2 of the mailboxes, then the approver approves.
    await approver.click(card!, 'Next');
    await eventually(() => (/page 2 of 2/.test(visibleText(sim.message(card!.ts)!)) ? true : undefined), { what: 'page 2' });
    await approver.click(sim.message(card!.ts)!, 'Approve');
    const decided = await eventually(() => { const m = sim.message(card!.ts)!; return /Approved by Aria Approver/.test(visibleText(m)) ? m : undefined; }, { what: 'the decided card' });
    expect(hasButtons(decided)).toBe(false);
    expect(visibleText(decided)).toMatch(/Approved by Aria Approver at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);

    // The run card appears once approved; the run finishes.
    const [, runCard] = await eventually(() => { const m = sim.topLevelMessages(CHANNEL).slice(before); return m.length >= 2 ? m : undefined; }, { what: 'the run card' });
    expect(visibleText(runCard!)).toContain('Full run · credco');
    const run = await waitForRun(app.engine, actor, 'credco', 'full', 60_000);
    expect(run.status).toBe('completed');
    await eventually(() => (/Run complete/.test(visibleText(sim.message(runCard!.ts)!)) ? true : undefined), { what: 'the completed run card', timeoutMs: 30_000 });
    const settled = await app.engine.getHold(actor, hold.id);
    expect(settled).toMatchObject({ consumed: charged, released: 0, decidedBy: APPROVER });
    // The approval card still shows who decided, never buttons.
    await new Promise((r) => setTimeout(r, 500));
    expect(hasButtons(sim.message(card!.ts)!)).toBe(false);
    expect(visibleText(sim.message(card!.ts)!)).toContain('Approved by Aria Approver');
    expect(sim.topLevelMessages(CHANNEL).slice(before)).toHaveLength(2);
    // The subscribed channel hears how the credits moved; the project channel gets no such note.
    const note = await eventually(() => sim.topLevelMessages(FINANCE).find((m) => /Credits: .*Run of credco finished: 11 credits consumed, 0 released/s.test(visibleText(m))), { what: 'the credits note', timeoutMs: 40_000 });
    expect(note).toBeDefined();
    expect(sim.topLevelMessages(CHANNEL).some((m) => /^Credits: /.test(m.text))).toBe(false);
    // The channel following progress got its own living copy of the run card (and no approval card).
    const mirrored = await eventually(() => { const m = sim.topLevelMessages(OPS).slice(1); return m.length && /Run complete/.test(visibleText(m[0]!)) ? m : undefined; }, { what: 'the mirrored run card', timeoutMs: 30_000 });
    expect(mirrored).toHaveLength(1);
    expect(visibleText(mirrored[0]!)).toContain('Full run · credco');
  }, 120_000);

  it('a second click on a decided card tells who decided first, privately', async () => {
    const card = sim.topLevelMessages(CHANNEL).find((m) => /Approval · Full run · credco/.test(visibleText(m)))!;
    const stale = { ts: card.ts, text: card.history[0]!.text, blocks: card.history[0]!.blocks };
    const seen = sim.ephemerals.length;
    await approver.click(stale, 'Reject');
    const [note] = await eventually(() => { const e = ephemeralsFor(APPROVER, seen); return e.length ? e : undefined; }, { what: 'the already-decided note' });
    expect(visibleText(note!)).toMatch(/Approved by Aria Approver at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(visibleText(sim.message(card.ts)!)).toContain('Approved by Aria Approver');
    expect(hasButtons(sim.message(card.ts)!)).toBe(false);
  });

  it('credits (privately): consumed = mailboxes copied, held 0, available = granted − consumed; the ledger adds up', async () => {
    const seen = sim.ephemerals.length;
    const top = sim.topLevelMessages(CHANNEL).length;
    await helpdesk.command('credits');
    const [answer] = await eventually(() => { const e = ephemeralsFor(HELPDESK, seen); return e.length ? e : undefined; }, { what: 'the credits card' });
    const text = visibleText(answer!);
    expect(text).toContain(`*Consumed*\n${charged}`);
    expect(text).toContain('*Held*\n0');
    expect(text).toContain(`*Available*\n${GRANTED - charged}`);
    expect(text).toContain(`*Balance*\n${GRANTED - charged}`);
    expect(text).toMatch(/`−1` consume · credco · 1 credit consumed/);
    expect(sim.topLevelMessages(CHANNEL)).toHaveLength(top);
    const info = await app.engine.credits(actor);
    expect(info).toMatchObject({ balance: GRANTED - charged, available: GRANTED - charged, held: 0, consumed: charged, pendingHolds: 0 });
    expect(await ledgerSum(app.engine, actor)).toBe(info.balance);
  });

  it('approvals lists nothing pending; a helpdesk user may not ask', async () => {
    let seen = sim.ephemerals.length;
    await approver.command('approvals');
    const [list] = await eventually(() => { const e = ephemeralsFor(APPROVER, seen); return e.length ? e : undefined; }, { what: 'the approvals card' });
    expect(visibleText(list!)).toContain('Nothing is waiting for an approver.');
    seen = sim.ephemerals.length;
    await helpdesk.command('approvals');
    const [refusal] = await eventually(() => { const e = ephemeralsFor(HELPDESK, seen); return e.length ? e : undefined; }, { what: 'the refusal' });
    expect(visibleText(refusal!)).toMatch(/You can't/);
  });

  it('a decision made elsewhere (another process) turns the channel card to its decided state; a rejected run gets no run card', async () => {
    const before = sim.topLevelMessages(CHANNEL).length;
    await admin.command('launch tiny');
    const [card] = await newTopLevel(before, 'the tiny approval card');
    expect(hasButtons(card!)).toBe(true);
    const [hold] = await app.engine.listHolds(actor, { status: ['pending_approval'] });
    const aria: Actor = { orgId: actor.orgId, userId: APPROVER, userName: 'Aria Approver', platformAdmin: false };
    await app.engine.decideHold(aria, { holdId: hold!.id, decision: 'reject' });
    const decided = await eventually(() => { const m = sim.message(card!.ts)!; return /Rejected by Aria Approver/.test(visibleText(m)) ? m : undefined; }, { what: 'the rejected card' });
    expect(hasButtons(decided)).toBe(false);
    expect(visibleText(decided)).toContain('rejected by Aria Approver');
    expect((await app.engine.latestRun(actor, { project: 'tiny', mode: 'full' }))?.status).toBe('cancelled');
    // Nothing else in the channel (the notifier's part, no run card for a refused run, is unit-tested: heldBack).
    await new Promise((r) => setTimeout(r, 1500));
    expect(sim.topLevelMessages(CHANNEL).slice(before)).toHaveLength(1);
    expect((await app.engine.credits(actor)).available).toBe(GRANTED - charged);
  }, 60_000);

  it('without enough credits: the shortfall card, no hold and no run', async () => {
    const before = sim.topLevelMessages(CHANNEL).length;
    await admin.command('launch bigger');
    const [card] = await newTopLevel(before, 'the shortfall card');
    const text = visibleText(card!);
    expect(text).toContain('Not enough credits for a full run of bigger');
    expect(text).toContain(`*Need*\n${charged} credits for 12 mailboxes`);
    expect(text).toContain(`*Available*\n${GRANTED - charged}`);
    expect(text).toContain(`*Shortfall*\n${charged - (GRANTED - charged)} credits`);
    expect(text).toContain('credits grant');
    expect(hasButtons(card!)).toBe(false);
    expect(await app.engine.listHolds(actor, { status: ['pending_approval'] })).toEqual([]);
    expect(await app.engine.latestRun(actor, { project: 'bigger', mode: 'full' })).toBeNull();
    await new Promise((r) => setTimeout(r, 500));
    expect(sim.topLevelMessages(CHANNEL).slice(before)).toHaveLength(1);
  });
});
