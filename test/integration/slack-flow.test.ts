/**
 * The walking skeleton in Slack, end to end through the protocol: signed requests to /slack/events
 * of the real app, answers observed in the Slack Web API simulator, mail on two real Dovecot
 * servers. new → modal → connect (a wrong password first: nothing saved) → scan (one card, edited
 * in place, whose totals equal what an independent IMAP client counts) → match (2 matched, 1 to
 * review) → create missing, override and exclude from the card's selects, each edit in place.
 * Steps share state and run in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/engine/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { corpusMessages } from '../helpers/corpus.js';
import { appendMessages, readMailbox, startDovecot, type DovecotServer, type DovecotUser } from '../helpers/dovecot.js';
import { SlackApiSimulator, type SimMessage } from '../simulators/slack/slack-api-simulator.js';
import { SlackTestUser } from '../simulators/slack/slack-test-user.js';
import { eventually } from '../simulators/slack/eventually.js';
import { visibleText } from '../simulators/slack/slack-visible-text.js';

const SECRET = 'flow-signing-secret';
const TOKEN = 'xoxb-flow';
const TEAM = 'TFLOW';
const CHANNEL = 'CMIGRATE';
const ADMIN = 'UFLOWADMIN';

const sourceUsers: DovecotUser[] = [
  { address: 'ada@example.com', password: 'ada-source-pw' },
  { address: 'bob@example.com', password: 'bob-source-pw' },
  { address: 'cyd@example.com', password: 'cyd-source-pw' },
];
const destinationUsers: DovecotUser[] = [
  { address: 'ada@example.com', password: 'ada-dest-pw' },
  { address: 'bob@example.com', password: 'bob-dest-pw' },
];

/** Every text a Slack user would read in a message: its fallback text and all Block Kit text. */

describe('Slack end to end: new → connect → scan → match', () => {
  let sim: SlackApiSimulator;
  let app: TestApp;
  let source: DovecotServer;
  let destination: DovecotServer;
  let admin: SlackTestUser;
  const actor: Actor = { orgId: `slack:${TEAM}`, userId: ADMIN, userName: 'Ada Admin', platformAdmin: true };

  const latest = (ts: string): SimMessage => sim.message(ts)!;
  const newTopLevel = (after: number): SimMessage[] => sim.topLevelMessages(CHANNEL).slice(after);

  beforeAll(async () => {
    [source, destination] = await Promise.all([startDovecot({ users: sourceUsers }), startDovecot({ users: destinationUsers })]);
    const mail = corpusMessages(12);
    await appendMessages(source, sourceUsers[0]!, 'INBOX', mail.slice(0, 4));
    await appendMessages(source, sourceUsers[0]!, 'Projects', mail.slice(4, 6), ['\\Seen']);
    await appendMessages(source, sourceUsers[1]!, 'INBOX', mail.slice(6, 9));
    await appendMessages(source, sourceUsers[2]!, 'INBOX', mail.slice(9, 11));
    await appendMessages(source, sourceUsers[2]!, 'Archive', mail.slice(11, 12));
    await appendMessages(destination, destinationUsers[0]!, 'INBOX', mail.slice(0, 1));
    sim = await SlackApiSimulator.start({ botToken: TOKEN, teamId: TEAM });
    sim.addUser({ id: ADMIN, name: 'ada', realName: 'Ada Admin' });
    app = await startTestApp({ SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: sim.apiUrl, MAILFERRY_ADMINS: ADMIN });
    admin = new SlackTestUser(sim, `${app.url}/slack/events`, SECRET, { userId: ADMIN, userName: 'ada', teamId: TEAM, teamDomain: 'flowcorp', channelId: CHANNEL });
  });

  afterAll(async () => {
    await app?.close();
    await sim?.close();
    await Promise.all([source?.stop(), destination?.stop()]);
  });

  /** `/migrate <command>` that opens a modal; returns the modal as views.open received it. */
  async function openModal(command: string): Promise<Record<string, unknown> & { id: string }> {
    const opened = sim.views.length;
    const sent = await admin.command(command);
    expect(sent.response.status).toBe(200);
    expect(sent.ackMs).toBeLessThan(1000);
    await eventually(() => sim.views.length > opened, { what: `views.open after /migrate ${command}` });
    return admin.lastView()!;
  }

  function connectAnswers(server: DovecotServer, users: DovecotUser[]): Record<string, string> {
    return { host: server.host, port: String(server.port), tls: 'false', accounts: users.map((u) => `${u.address},${u.password}`).join('\n') };
  }

  it('/migrate new opens a modal; submitting it posts the project card', async () => {
    const modal = await openModal('new');
    expect(modal.callback_id).toBe('project.create');
    const before = sim.topLevelMessages(CHANNEL).length;
    const submitted = await admin.submit(modal, { name: 'acme', source: 'imap', destination: 'imap' });
    expect(submitted.response.status).toBe(200);
    expect(submitted.ackMs).toBeLessThan(1000);
    const [card] = await eventually(() => (newTopLevel(before).length ? newTopLevel(before) : undefined), { what: 'the project card' });
    expect(visibleText(card!)).toContain('acme');
    const project = await app.engine.getProject(actor, 'acme');
    expect(project).toMatchObject({ name: 'acme', sourcePlatform: 'imap', destinationPlatform: 'imap', channelKey: `slack:${TEAM}:${CHANNEL}` });
  });

  it('a wrong password gives a clear error and saves nothing; the right one connects', async () => {
    const modal = await openModal('connect acme source');
    const wrong = [sourceUsers[0]!, sourceUsers[1]!, { ...sourceUsers[2]!, password: 'not-the-password' }];
    const before = sim.topLevelMessages(CHANNEL).length;
    const ephemeralsBefore = sim.ephemerals.length;
    await admin.submit(modal, connectAnswers(source, wrong));
    const answer = await eventually(() => newTopLevel(before)[0] ?? sim.ephemerals.slice(ephemeralsBefore)[0], { what: 'the connection error card', timeoutMs: 30_000 });
    const text = visibleText(answer);
    expect(text).toContain('cyd@example.com');
    expect(text).toMatch(/nothing was saved/i);
    expect(text).not.toContain('not-the-password');
    expect((await app.engine.getProject(actor, 'acme')).connections.find((c) => c.side === 'source')).toBeUndefined();

    const retry = await openModal('connect acme source');
    const beforeRight = sim.topLevelMessages(CHANNEL).length;
    await admin.submit(retry, connectAnswers(source, sourceUsers));
    const ok = await eventually(() => newTopLevel(beforeRight)[0], { what: 'the connected card', timeoutMs: 30_000 });
    expect(visibleText(ok)).toMatch(/connected|3 accounts|3 mailboxes/i);
    const connection = (await app.engine.getProject(actor, 'acme')).connections.find((c) => c.side === 'source');
    expect(connection).toMatchObject({ side: 'source', platform: 'imap', status: 'valid' });

    const destinationModal = await openModal('connect acme destination');
    const beforeDestination = sim.topLevelMessages(CHANNEL).length;
    await admin.submit(destinationModal, connectAnswers(destination, destinationUsers));
    await eventually(() => newTopLevel(beforeDestination)[0], { what: 'the destination connected card', timeoutMs: 30_000 });
    expect((await app.engine.getProject(actor, 'acme')).stage).toBe('ready_to_scan');
  });

  it('/migrate scan posts exactly one card, edited in place until its totals match Dovecot', async () => {
    const before = sim.topLevelMessages(CHANNEL).length;
    const sent = await admin.command('scan acme');
    expect(sent.ackMs).toBeLessThan(1000);
    const [card] = await eventually(() => (newTopLevel(before).length ? newTopLevel(before) : undefined), { what: 'the scan card' });
    const done = await eventually(() => (/scan complete/i.test(visibleText(latest(card!.ts))) ? latest(card!.ts) : undefined), { what: 'the completed scan card', timeoutMs: 45_000 });
    // Independent count with a plain IMAP client.
    const count = async (server: DovecotServer, users: DovecotUser[]) => {
      const boxes = await Promise.all(users.map((u) => readMailbox(server, u)));
      return { folders: boxes.reduce((n, b) => n + b.length, 0), items: boxes.reduce((n, b) => n + b.reduce((m, f) => m + f.messages.length, 0), 0) };
    };
    const [src, dst] = await Promise.all([count(source, sourceUsers), count(destination, destinationUsers)]);
    expect(src.items).toBe(12);
    const text = visibleText(done);
    const totals = (label: string) => {
      const match = new RegExp(`${label}\\*?\\s*\\n?\\s*(\\d+) mailbox(?:es)? · (\\d+) folders? · (\\d+) items?`).exec(text);
      expect(match, `${label} totals in: ${text}`).not.toBeNull();
      return { mailboxes: Number(match![1]), folders: Number(match![2]), items: Number(match![3]) };
    };
    expect(totals('Source')).toEqual({ mailboxes: 3, ...src });
    expect(totals('Destination')).toEqual({ mailboxes: 2, ...dst });
    expect(done.history.length).toBeGreaterThanOrEqual(1);
    // Still one top-level message after the run finished (details may go in its thread only).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(newTopLevel(before)).toHaveLength(1);
  });

  it('/migrate match shows 2 matched and 1 to review; create missing, override and exclude edit the card in place', async () => {
    const before = sim.topLevelMessages(CHANNEL).length;
    await admin.command('match acme');
    const [card] = await eventually(() => (newTopLevel(before).length ? newTopLevel(before) : undefined), { what: 'the match card' });
    const ts = card!.ts;
    expect(visibleText(card!)).toMatch(/\*2\* matched/);
    expect(visibleText(card!)).toMatch(/\*1\* to review/);
    expect(visibleText(card!)).toContain('cyd@example.com');

    const edits = () => latest(ts).history.length;
    let seen = edits();
    const afterEdit = async (what: string) => {
      const message = await eventually(() => (edits() > seen ? latest(ts) : undefined), { what });
      seen = edits();
      return visibleText(message);
    };

    await admin.choose(latest(ts), 'Create missing', { near: '*cyd@example.com*' });
    expect(await afterEdit('the card after Create missing')).toMatch(/\*1\* to create/);
    let review = await app.engine.getMatchReview(actor, { project: 'acme', filter: 'all' });
    expect(review.rows.find((r) => r.source.address === 'cyd@example.com')!.status).toBe('create_missing');

    // Every row, to reach the matched ones.
    await admin.click(latest(ts), 'Show all (3)');
    expect(await afterEdit('the card showing all rows')).toContain('ada@example.com');

    await admin.choose(latest(ts), 'Exclude', { near: '*bob@example.com*' });
    expect(await afterEdit('the card after the exclusion')).toMatch(/\*1\* excluded/);
    review = await app.engine.getMatchReview(actor, { project: 'acme', filter: 'all' });
    expect(review.rows.find((r) => r.source.address === 'bob@example.com')!.status).toBe('excluded');

    await admin.choose(latest(ts), 'bob@example.com', { near: '*ada@example.com*' });
    expect(await afterEdit('the card after the override')).toMatch(/ada@example\.com\*.*→ bob@example\.com/);
    review = await app.engine.getMatchReview(actor, { project: 'acme', filter: 'all' });
    expect(review.rows.find((r) => r.source.address === 'ada@example.com')!.destinationAddress).toBe('bob@example.com');

    // All of it happened on the one card.
    expect(newTopLevel(before)).toHaveLength(1);
    expect(sim.callsTo('chat.update').filter((c) => c.args.ts === ts).length).toBe(4);
  });
});
