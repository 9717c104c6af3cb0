/**
 * Importing a mapping CSV by sharing the file in chat, through the protocols only: Slack events
 * (`app_mention` / DM `message` of subtype `file_share` with `files[]`) into the real app, which
 * downloads url_private_download from the Slack simulator with its bot token; Teams messages with a
 * `file.download.info` attachment served by the connector simulator. A small scanned sandbox
 * project per platform; what the user reads is asserted, and the mapping itself through the engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, ConnectionSettings, Engine } from '../../src/engine/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createDatabase } from '../helpers/store.js';
import { SlackApiSimulator, type SimEphemeral } from '../simulators/slack/slack-api-simulator.js';
import { SlackTestUser } from '../simulators/slack/slack-test-user.js';
import { eventually } from '../simulators/slack/eventually.js';
import { visibleText } from '../simulators/slack/slack-visible-text.js';
import { ConnectorSimulator } from '../simulators/teams/connector-simulator.js';
import { ALEX, MEGAN, TENANT_ID, TeamsClient, channelConversation, personalConversation } from '../simulators/teams/activities.js';
import { waitForRun } from './chat-run-setup.js';

const SECRET = 'upload-signing-secret';
const TOKEN = 'xoxb-upload';
const TEAM = 'TUPLOAD';
const CHANNEL = 'CUPLOAD';
const ADMIN = 'UUPADMIN';
const HELPDESK = 'UUPHELP';
const MAILBOXES = 6;
const SEED = 311;

function pair(seed: number): { source: ConnectionSettings & { platform: 'sandbox' }; destination: ConnectionSettings & { platform: 'sandbox' } } {
  return {
    source: { platform: 'sandbox', seed, mailboxes: MAILBOXES, messagesPerMailbox: 1, domain: `upsrc${seed}.example` },
    destination: { platform: 'sandbox', seed: seed + 1, mailboxes: MAILBOXES, messagesPerMailbox: 0, domain: `updst${seed}.example` },
  };
}

async function scannedProject(engine: Engine, actor: Actor, name: string, channelKey: string, seed: number): Promise<void> {
  const { source, destination } = pair(seed);
  await engine.createProject(actor, { name, sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey });
  await engine.saveConnection(actor, { project: name, side: 'source', settings: source });
  await engine.saveConnection(actor, { project: name, side: 'destination', settings: destination });
  await engine.startScan(actor, { project: name });
  expect((await waitForRun(engine, actor, name, 'scan', 30_000)).status).toBe('completed');
}

/** The exported CSV with user1 sent to user2's destination and user3 excluded (Excel style: BOM and CRLF). */
async function correctedCsv(engine: Engine, actor: Actor, project: string, seed: number): Promise<string> {
  const { source, destination } = pair(seed);
  const [header, ...lines] = (await engine.exportMappingCsv(actor, { project })).trim().split(/\r?\n/);
  const edited = lines.map((line) => {
    const [address] = line.split(',');
    if (address === `user1@${source.domain}`) return `${address},user2@${destination.domain},matched`;
    if (address === `user3@${source.domain}`) return `${address},,excluded`;
    return line;
  });
  return `\uFEFF${[header, ...edited].join('\r\n')}\r\n`;
}

async function mappingOf(engine: Engine, actor: Actor, project: string): Promise<Record<string, string>> {
  const review = await engine.getMatchReview(actor, { project, filter: 'all', pageSize: 50 });
  return Object.fromEntries(review.rows.map((r) => [r.source.address, `${r.status} ${r.destination?.address ?? ''}`.trim()]));
}

let app: TestApp;
let drop: () => Promise<void>;
let sim: SlackApiSimulator;
const connector = new ConnectorSimulator();

beforeAll(async () => {
  const db = await createDatabase();
  drop = db.drop;
  sim = await SlackApiSimulator.start({ botToken: TOKEN, teamId: TEAM });
  sim.addUser({ id: ADMIN, name: 'ada', realName: 'Ada Admin' });
  sim.addUser({ id: HELPDESK, name: 'hal', realName: 'Hal Helpdesk' });
  await connector.start();
  app = await startTestApp({
    SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: sim.apiUrl,
    MAILFERRY_ADMINS: `${ADMIN},${ALEX.aadObjectId}`, DATABASE_URL: db.databaseUrl,
  });
});

afterAll(async () => {
  await app?.close();
  await sim?.close();
  await connector.stop();
  await drop?.();
});

describe('Slack: import a mapping CSV by sharing the file', () => {
  const actor: Actor = { orgId: `slack:${TEAM}`, userId: ADMIN, userName: 'Ada Admin', platformAdmin: true };
  const channel = { teamId: TEAM, teamDomain: 'upcorp', channelId: CHANNEL };
  const { source, destination } = pair(SEED);
  let admin: SlackTestUser;
  let helpdesk: SlackTestUser;
  const ephemeralsFor = (user: string, after: number): SimEphemeral[] => sim.ephemerals.slice(after).filter((e) => e.user === user);
  const downloadsOf = (fileId: string) => sim.callsTo('file.download').filter((c) => c.args.file_id === fileId);

  beforeAll(async () => {
    admin = new SlackTestUser(sim, `${app.url}/slack/events`, SECRET, { userId: ADMIN, userName: 'ada', ...channel });
    helpdesk = new SlackTestUser(sim, `${app.url}/slack/events`, SECRET, { userId: HELPDESK, userName: 'hal', ...channel });
    await scannedProject(app.engine, actor, 'filecorp', `slack:${TEAM}:${CHANNEL}`, SEED);
    await app.engine.grantRole(actor, { userId: HELPDESK, role: 'helpdesk' });
  });

  it('the simulator serves a shared file only with the bot token, and redirects anyone else to sign in', async () => {
    const file = sim.shareFile({ user: ADMIN, name: 'probe.csv', content: 'a,b\n' });
    expect(file).toMatchObject({ mimetype: 'text/csv', filetype: 'csv', size: 4 });
    const anonymous = await fetch(file.url_private_download, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toContain('/?redir=');
    const wrong = await fetch(file.url_private_download, { headers: { authorization: 'Bearer xoxb-someone-else' } });
    expect(wrong.headers.get('content-type')).toMatch(/text\/html/);
    const right = await fetch(file.url_private_download, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toBe('a,b\n');
  });

  it('a CSV with a wrong line is refused privately, naming the line, and nothing is applied', async () => {
    const before = await mappingOf(app.engine, actor, 'filecorp');
    const csv = (await correctedCsv(app.engine, actor, 'filecorp', SEED)).replace(`user5@${source.domain}`, 'nobody@nowhere.example');
    const ephemerals = sim.ephemerals.length;
    const posted = sim.topLevelMessages(CHANNEL).length;
    await admin.shareFile('match filecorp import', { name: 'mapping.csv', content: csv });
    const [answer] = await eventually(() => { const e = ephemeralsFor(ADMIN, ephemerals); return e.length ? e : undefined; }, { what: 'the private refusal' });
    // Header on line 1, user1 … user6 on lines 2 … 7: user5 is line 6.
    expect(visibleText(answer!)).toMatch(/Nothing was imported: 1 line is wrong \(line 6: no source mailbox nobody@nowhere\.example\)/);
    expect(await mappingOf(app.engine, actor, 'filecorp')).toEqual(before);
    expect(sim.topLevelMessages(CHANNEL).length).toBe(posted);
  });

  it('an admin shares a corrected CSV from Excel: the bot downloads it with its token and the review shows both changes', async () => {
    const before = sim.topLevelMessages(CHANNEL).length;
    const { file, sent } = await admin.shareFile('match filecorp import', { name: 'filecorp-mapping.csv', content: await correctedCsv(app.engine, actor, 'filecorp', SEED) });
    expect(sent.every((s) => s.response.status === 200 && s.ackMs < 3000)).toBe(true);
    const review = await eventually(() => sim.topLevelMessages(CHANNEL).slice(before).find((m) => /imported by/.test(visibleText(m))), { what: 'the match review after the import' });
    const text = visibleText(review);
    expect(text).toContain('“filecorp-mapping.csv” imported by Ada Admin: 2 rows changed, 4 unchanged.');
    expect(text).toMatch(/\*1\* excluded/);
    expect(downloadsOf(file.id).map((c) => c.outcome)).toEqual(['ok']);
    const mapping = await mappingOf(app.engine, actor, 'filecorp');
    expect(mapping[`user1@${source.domain}`]).toBe(`matched user2@${destination.domain}`);
    expect(mapping[`user3@${source.domain}`]).toMatch(/^excluded/);
    expect(mapping[`user2@${source.domain}`]).toBe(`matched user2@${destination.domain}`);
    // The channel message event of the same upload is not a second import.
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.topLevelMessages(CHANNEL).slice(before).filter((m) => /imported by/.test(visibleText(m)))).toHaveLength(1);
  });

  it('a file that is not a CSV is refused privately with a sentence saying what to share instead, without downloading it', async () => {
    const ephemerals = sim.ephemerals.length;
    const { file } = await admin.shareFile('match filecorp import', { name: 'mapping.xlsx', content: 'PK\u0003\u0004 not a csv' });
    const [answer] = await eventually(() => { const e = ephemeralsFor(ADMIN, ephemerals); return e.length ? e : undefined; }, { what: 'the refusal' });
    const text = visibleText(answer!);
    expect(text).toContain('“mapping.xlsx” is not a CSV file, so nothing was imported.');
    expect(text).toContain('CSV UTF-8');
    expect(downloadsOf(file.id)).toHaveLength(0);
  });

  it('a file over 2 MB is refused before any download', async () => {
    const ephemerals = sim.ephemerals.length;
    const header = 'source_address,destination_address,status\n';
    const { file } = await admin.shareFile('match filecorp import', { name: 'huge.csv', content: header + 'x@y.example,,excluded\n'.repeat(100_000) });
    const [answer] = await eventually(() => { const e = ephemeralsFor(ADMIN, ephemerals); return e.length ? e : undefined; }, { what: 'the refusal' });
    expect(visibleText(answer!)).toMatch(/“huge\.csv” is 2\.\d MB; a mapping CSV may be at most 2\.0 MB/);
    expect(downloadsOf(file.id)).toHaveLength(0);
  });

  it('a file Slack no longer serves is reported as a failed download, and nothing changes', async () => {
    const before = await mappingOf(app.engine, actor, 'filecorp');
    const posted = sim.topLevelMessages(CHANNEL).length;
    const gone = sim.shareFile({ user: ADMIN, name: 'gone.csv', content: await correctedCsv(app.engine, actor, 'filecorp', SEED) });
    sim.files.delete(gone.id);
    await admin.shareFile('match filecorp import', gone);
    const answer = await eventually(() => sim.topLevelMessages(CHANNEL).slice(posted).find((m) => /gone\.csv/.test(visibleText(m))), { what: 'an answer about gone.csv' });
    expect(visibleText(answer)).toContain('Slack would not hand over “gone.csv” (HTTP 404), so nothing was imported.');
    expect(downloadsOf(gone.id).map((c) => c.outcome)).toEqual(['file_not_found']);
    expect(await mappingOf(app.engine, actor, 'filecorp')).toEqual(before);
  });

  it('a helpdesk user’s upload is refused privately, names the admin role, and the file is never downloaded', async () => {
    const before = await mappingOf(app.engine, actor, 'filecorp');
    const ephemerals = sim.ephemerals.length;
    const posted = sim.topLevelMessages(CHANNEL).length;
    const { file } = await helpdesk.shareFile('match filecorp import', { name: 'mine.csv', content: await correctedCsv(app.engine, actor, 'filecorp', SEED) });
    const [answer] = await eventually(() => { const e = ephemeralsFor(HELPDESK, ephemerals); return e.length ? e : undefined; }, { what: 'the refusal' });
    expect(visibleText(answer!)).toMatch(/admin/);
    expect(downloadsOf(file.id)).toHaveLength(0);
    expect(sim.topLevelMessages(CHANNEL).length).toBe(posted);
    expect(await mappingOf(app.engine, actor, 'filecorp')).toEqual(before);
  });

  it('in a direct message the file share alone (no mention) imports too', async () => {
    const dm = new SlackTestUser(sim, `${app.url}/slack/events`, SECRET, { userId: ADMIN, userName: 'ada', teamId: TEAM, teamDomain: 'upcorp', channelId: 'DUPADMIN' });
    const { file } = await dm.shareFile('match filecorp import', { name: 'again.csv', content: await app.engine.exportMappingCsv(actor, { project: 'filecorp' }) });
    const review = await eventually(() => sim.topLevelMessages('DUPADMIN').find((m) => /imported by/.test(visibleText(m))), { what: 'the review in the DM' });
    expect(visibleText(review)).toContain('“again.csv” imported by Ada Admin: 0 rows changed, 6 unchanged.');
    expect(downloadsOf(file.id).map((c) => c.outcome)).toEqual(['ok']);
  });
});

describe('Teams: import a mapping CSV by attaching the file in the 1:1 chat', () => {
  // Teams hands bots files (file.download.info) only in personal chats, and only with supportsFiles.
  const ORG = `teams:${TENANT_ID}`;
  const alex: Actor = { orgId: ORG, userId: ALEX.aadObjectId, userName: ALEX.name, platformAdmin: true };
  const projectChannel = channelConversation('uploads');
  const alexChat = personalConversation(ALEX);
  const meganChat = personalConversation(MEGAN);
  const { source, destination } = pair(SEED + 10);
  let client: TeamsClient;
  const textsIn = (conversationId: string, after = 0) => connector.sentTo(conversationId).slice(after).map((a) => JSON.stringify(a.activity));

  beforeAll(async () => {
    client = new TeamsClient(app.url, connector.url);
    await scannedProject(app.engine, alex, 'teamcorp', `teams:${projectChannel.id}`, SEED + 10);
  });

  it('an admin attaches a corrected CSV: the review card shows both changes', async () => {
    const csv = await correctedCsv(app.engine, alex, 'teamcorp', SEED + 10);
    const downloadUrl = connector.serveFile('teamcorp-mapping.csv', csv);
    const before = connector.sentTo(alexChat.id).length;
    const res = await client.post(client.messageWithFile(ALEX, alexChat, 'match teamcorp import', { name: 'teamcorp-mapping.csv', downloadUrl }));
    expect(res.status).toBe(200);
    const card = await connector.waitFor(() => textsIn(alexChat.id, before).find((t) => t.includes('imported by')));
    expect(card).toContain('“teamcorp-mapping.csv” imported by Alex Wilber: 2 rows changed, 4 unchanged.');
    expect(connector.fileDownloads).toContain('teamcorp-mapping.csv');
    const mapping = await mappingOf(app.engine, alex, 'teamcorp');
    expect(mapping[`user1@${source.domain}`]).toBe(`matched user2@${destination.domain}`);
    expect(mapping[`user3@${source.domain}`]).toMatch(/^excluded/);
  });

  it('a non-CSV attachment and a non-admin’s CSV are refused, neither downloaded, and nothing changes', async () => {
    const before = await mappingOf(app.engine, alex, 'teamcorp');
    const pdf = connector.serveFile('plan.pdf', '%PDF-1.7');
    const alexBefore = connector.sentTo(alexChat.id).length;
    await client.post(client.messageWithFile(ALEX, alexChat, 'match teamcorp import', { name: 'plan.pdf', downloadUrl: pdf }));
    const refusal = await connector.waitFor(() => textsIn(alexChat.id, alexBefore).find((t) => t.includes('plan.pdf')));
    expect(refusal).toContain('is not a CSV file, so nothing was imported.');

    const csv = connector.serveFile('megan.csv', await correctedCsv(app.engine, alex, 'teamcorp', SEED + 10));
    const meganBefore = connector.sentTo(meganChat.id).length;
    await client.post(client.messageWithFile(MEGAN, meganChat, 'match teamcorp import', { name: 'megan.csv', downloadUrl: csv }));
    const denied = await connector.waitFor(() => textsIn(meganChat.id, meganBefore).at(-1));
    expect(denied).toMatch(/admin/);
    expect(denied).not.toContain('imported by');
    expect(connector.fileDownloads).not.toContain('megan.csv');
    expect(connector.fileDownloads).not.toContain('plan.pdf');
    expect(await mappingOf(app.engine, alex, 'teamcorp')).toEqual(before);
  });
});
