/**
 * A 1,000-mailbox sandbox → sandbox migration run driven from Slack, through the protocol:
 * signed slash commands into the real app, answers observed in the Slack Web API simulator.
 * One top-level message for the run, edited at most every 5 s, ending completed with the right
 * totals and a 100 % verification; mailbox status and logs answer privately (ephemeral).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/engine/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createDatabase } from '../helpers/store.js';
import { SlackApiSimulator, type SimEphemeral, type SimMessage } from '../simulators/slack/slack-api-simulator.js';
import { SlackTestUser } from '../simulators/slack/slack-test-user.js';
import { eventually } from '../simulators/slack/eventually.js';
import { MAILBOXES, createSandboxProject, createThrottledProject, expectedItems, gaps, sandboxPair, throttledPair, waitForRun } from './chat-run-setup.js';
import { visibleText } from '../simulators/slack/slack-visible-text.js';

const SECRET = 'run-signing-secret';
const TOKEN = 'xoxb-run';
const TEAM = 'TRUN';
const CHANNEL = 'CRUNS';
const ADMIN = 'URUNADMIN';
const NOBODY = 'URUNNOBODY';
const SEED = 71;
const { source } = sandboxPair(SEED);
const address = `user1@${source.domain}`;
const tinyAddress = `user1@${throttledPair(SEED).source.domain}`;

describe('Slack: a 1,000-mailbox run in chat', () => {
  let sim: SlackApiSimulator;
  let app: TestApp;
  let drop: () => Promise<void>;
  let databaseUrl: string;
  let admin: SlackTestUser;
  let nobody: SlackTestUser;
  const actor: Actor = { orgId: `slack:${TEAM}`, userId: ADMIN, userName: 'Ada Admin', platformAdmin: true };
  const ephemeralsFor = (user: string, after: number): SimEphemeral[] => sim.ephemerals.slice(after).filter((e) => e.user === user);

  beforeAll(async () => {
    const db = await createDatabase();
    drop = db.drop;
    databaseUrl = db.databaseUrl;
    sim = await SlackApiSimulator.start({ botToken: TOKEN, teamId: TEAM });
    sim.addUser({ id: ADMIN, name: 'ada', realName: 'Ada Admin' });
    sim.addUser({ id: NOBODY, name: 'nobody', realName: 'No Body' });
    app = await startTestApp({ SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: sim.apiUrl, MAILFERRY_ADMINS: ADMIN, DATABASE_URL: db.databaseUrl });
    const channel = { teamId: TEAM, teamDomain: 'runcorp', channelId: CHANNEL };
    admin = new SlackTestUser(sim, `${app.url}/slack/events`, SECRET, { userId: ADMIN, userName: 'ada', ...channel });
    nobody = new SlackTestUser(sim, `${app.url}/slack/events`, SECRET, { userId: NOBODY, userName: 'nobody', ...channel });
    await createSandboxProject(app.engine, actor, 'bigco', `slack:${TEAM}:${CHANNEL}`, SEED);
    await createThrottledProject(app.engine, actor, 'tiny', `slack:${TEAM}:${CHANNEL}`, SEED);
  });

  afterAll(async () => {
    await app?.close();
    await sim?.close();
    await drop?.();
  });

  it('scan, then launch: one top-level card edited at most every 5 s, ending completed with the totals and 100 % verified', async () => {
    await admin.command('scan bigco');
    expect((await waitForRun(app.engine, actor, 'bigco', 'scan', 30_000)).status).toBe('completed');
    const scanCard = await eventually(() => sim.topLevelMessages(CHANNEL).find((m) => /Scan · bigco/.test(visibleText(m))), { what: 'the scan card' });
    expect(visibleText(scanCard)).toContain('Started by Ada Admin');
    const review = await app.engine.getMatchReview(actor, { project: 'bigco', filter: 'all', pageSize: 1 });
    expect(review.counts).toMatchObject({ matched: MAILBOXES, total: MAILBOXES });

    const before = sim.topLevelMessages(CHANNEL).length;
    const sent = await admin.command('launch bigco');
    expect(sent.ackMs).toBeLessThan(3000);
    const [card] = await eventually(() => { const m = sim.topLevelMessages(CHANNEL).slice(before); return m.length ? m : undefined; }, { what: 'the run card' });
    expect(visibleText(card!)).toMatch(/Full run · bigco/);
    expect(visibleText(card!)).toContain('Cancel run');

    const done = await eventually(() => { const m = sim.message(card!.ts)!; return /Run complete/.test(visibleText(m)) ? m : undefined; }, { what: 'the completed run card', timeoutMs: 170_000 });
    const text = visibleText(done);
    const items = expectedItems(source).toLocaleString('en-US');
    expect(text).toContain(`All ${MAILBOXES.toLocaleString('en-US')} mailboxes copied.`);
    expect(text).toContain(`${MAILBOXES.toLocaleString('en-US')} done · 0 failed · ${MAILBOXES.toLocaleString('en-US')} in all`);
    expect(text).toContain(`*Items moved*\n${items}`);
    expect(text).toContain('Verification: 100 % consistent');
    // Who launched it, by name; while it ran, its rows said how far each mailbox had got.
    expect(text).toContain('Started by Ada Admin');
    expect(text).not.toContain(`Started by ${ADMIN}`);
    expect(done.history.map(visibleText).some((t) => /\* — [\d,]+ \/ [\d,]+ items?\b/.test(t))).toBe(true);
    expect(text).not.toContain('Cancel run');
    expect(text).not.toContain('Retry failed');

    // Every change was a chat.update of that one message, at least 5 s apart.
    const edits = sim.callsTo('chat.update').filter((c) => c.args.ts === card!.ts && c.outcome === 'ok');
    expect(edits.length).toBe(done.history.length);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    for (const gap of gaps(edits.map((e) => e.at))) expect(gap).toBeGreaterThanOrEqual(4990);

    // The verification arrives in the card's thread; nothing else at the top level.
    const thread = await eventually(() => { const r = [...sim.messages.values()].filter((m: SimMessage) => m.threadTs === card!.ts); return r.length ? r : undefined; }, { what: 'the verification reply' });
    expect(visibleText(thread[0]!)).toMatch(/Verification · bigco[\s\S]*100 % consistent/);
    await new Promise((r) => setTimeout(r, 1000));
    expect(sim.topLevelMessages(CHANNEL).slice(before)).toHaveLength(1);
  }, 240_000);

  it('status <address> answers privately with that mailbox’s card', async () => {
    const top = sim.topLevelMessages(CHANNEL).length;
    const seen = sim.ephemerals.length;
    await admin.command(`status ${address}`);
    const [answer] = await eventually(() => { const e = ephemeralsFor(ADMIN, seen); return e.length ? e : undefined; }, { what: 'the private mailbox card' });
    const text = visibleText(answer!);
    expect(text).toContain(address);
    expect(text).toContain('▓▓▓▓▓▓▓▓▓▓ 100 %');
    expect(text).toMatch(/Items\*\n\d+ of \d+ · 0 failed/);
    expect(text).toMatch(/items\/min/);
    expect(sim.topLevelMessages(CHANNEL)).toHaveLength(top);
  });

  it('throttling alerts go into the run card’s thread, one per mailbox per minute, never top-level', async () => {
    await admin.command('scan tiny');
    expect((await waitForRun(app.engine, actor, 'tiny', 'scan', 30_000)).status).toBe('completed');
    const before = sim.topLevelMessages(CHANNEL).length;
    await admin.command('launch tiny');
    const [card] = await eventually(() => { const m = sim.topLevelMessages(CHANNEL).slice(before); return m.length ? m : undefined; }, { what: 'the tiny run card' });
    await eventually(() => (/Run complete/.test(visibleText(sim.message(card!.ts)!)) ? true : undefined), { what: 'the tiny run to finish', timeoutMs: 60_000 });
    const run = await app.engine.latestRun(actor, { project: 'tiny' });
    expect(run).toMatchObject({ startedBy: ADMIN, startedByName: 'Ada Admin' });
    const [moved] = run!.mailboxRuns;
    expect(moved).toMatchObject({ status: 'completed', itemsDone: moved!.itemsTotal, itemsFailed: 0, lastProgressAt: expect.any(String) });
    expect(moved!.itemsTotal).toBeGreaterThanOrEqual(40);
    expect(moved!.bytesDone).toBeGreaterThan(0);
    const log = await app.engine.mailboxLog(actor, { address: tinyAddress, pageSize: 100 });
    const throttles = log.entries.filter((e) => /^Throttled .* by destination$/.test(e.message)).length;
    expect(throttles).toBeGreaterThan(2);
    const replies = await eventually(() => { const r = [...sim.messages.values()].filter((m) => m.threadTs === card!.ts); return r.length >= 2 ? r : undefined; }, { what: 'alert and verification replies' });
    await new Promise((r) => setTimeout(r, 1500));
    const all = [...sim.messages.values()].filter((m) => m.threadTs === card!.ts).map(visibleText);
    const alerts = all.filter((t) => /throttled by destination/i.test(t));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain(tinyAddress);
    expect(all.filter((t) => /Verification · tiny/.test(t))).toHaveLength(1);
    expect(replies.length).toBeLessThanOrEqual(all.length);
    expect(sim.topLevelMessages(CHANNEL).slice(before)).toHaveLength(1);
  }, 90_000);

  it('log <address> pages its event log privately, Next replacing the private card', async () => {
    const log = await app.engine.mailboxLog(actor, { address: tinyAddress, pageSize: 100 });
    const pages = Math.ceil(log.total / 10);
    expect(pages).toBeGreaterThanOrEqual(2);
    const seen = sim.ephemerals.length;
    await admin.command(`log ${tinyAddress}`);
    const [first] = await eventually(() => { const e = ephemeralsFor(ADMIN, seen); return e.length ? e : undefined; }, { what: 'the private log' });
    expect(visibleText(first!)).toContain(`Log · ${tinyAddress}`);
    expect(visibleText(first!)).toContain(`page 1 of ${pages}`);
    expect(visibleText(first!)).toContain(log.entries[0]!.message);
    await admin.click({ ts: first!.messageTs, blocks: first!.blocks as never, text: first!.text }, 'Next', { ephemeral: true });
    await eventually(() => (first!.replaced > 0 ? first : undefined), { what: 'the second page' });
    expect(visibleText(first!)).toContain(`page 2 of ${pages}`);
    expect(visibleText(first!)).toContain(log.entries[10]!.message);
    const later = sim.ephemerals.length;
    await admin.command(`log ${tinyAddress} ${pages}`);
    const [last] = await eventually(() => { const e = ephemeralsFor(ADMIN, later); return e.length ? e : undefined; }, { what: 'the last page' });
    expect(visibleText(last!)).toContain(`page ${pages} of ${pages}`);
    expect(visibleText(last!)).toContain(log.entries.at(-1)!.message);
    expect(visibleText(last!)).not.toContain('Next');
  });

  it('refuses a user without a role privately', async () => {
    const top = sim.topLevelMessages(CHANNEL).length;
    const seen = sim.ephemerals.length;
    await nobody.command(`status ${address}`);
    await nobody.command('launch bigco');
    const answers = await eventually(() => { const e = ephemeralsFor(NOBODY, seen); return e.length >= 2 ? e : undefined; }, { what: 'two private refusals' });
    for (const a of answers) expect(visibleText(a)).toMatch(/You can't/);
    expect(visibleText(answers[0]!)).not.toContain('100 %');
    expect(sim.topLevelMessages(CHANNEL)).toHaveLength(top);
  });

  it('a run of 1,000 mailboxes reads as 200 rows: failed, unhealthy, running by latest progress, pending, then done', async () => {
    const run = (await app.engine.latestRun(actor, { project: 'bigco', mode: 'full' }))!;
    const at = (i: number) => `user${i}@${source.domain}`;
    // Rewrite five finished rows into every state a live run has (last test: the others are done with bigco).
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const set = (i: number, values: string) => client.query(
      `update mailbox_runs mr set ${values} from mailboxes m where m.id = mr.mailbox_id and mr.run_id = $1 and m.address = $2`, [run.id, at(i)]);
    await set(990, `status = 'pending', finished_at = null`);
    await set(991, `status = 'running', health = 'healthy', last_progress_at = now() - interval '1 minute'`);
    await set(992, `status = 'running', health = 'healthy', last_progress_at = now() - interval '2 seconds'`);
    await set(993, `status = 'running', health = 'stalled', health_reason = 'no progress for 10 min'`);
    await set(994, `status = 'failed', error = 'Login refused'`);
    await client.end();
    const rows = (await app.engine.getRun(run.id)).mailboxRuns;
    expect(rows).toHaveLength(200);
    expect(rows.slice(0, 5).map((r) => [r.mailbox.address, r.status])).toEqual([
      [at(994), 'failed'], [at(993), 'running'], [at(992), 'running'], [at(991), 'running'], [at(990), 'pending'],
    ]);
    expect(rows.slice(5).every((r) => r.status === 'completed' && r.itemsDone === r.itemsTotal && r.lastProgressAt !== null)).toBe(true);
  });
});
