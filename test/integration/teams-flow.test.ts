import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/engine/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { ConnectorSimulator } from '../simulators/teams/connector-simulator.js';
import { ALEX, MEGAN, TENANT_ID, TeamsClient, channelConversation, personalConversation } from '../simulators/teams/activities.js';

/**
 * The walking skeleton in Teams, through the protocol only: Bot Framework activities posted to
 * /api/messages of the real app (anonymous, loopback), everything the bot sends captured by the
 * connector simulator. create → connect → scan → match on a sandbox tenant.
 */
const ORG = `teams:${TENANT_ID}`;
const channel = channelConversation('migration');
const alex: Actor = { orgId: ORG, userId: ALEX.aadObjectId, userName: ALEX.name, platformAdmin: true };

let app: TestApp;
let client: TeamsClient;
const sim = new ConnectorSimulator();

type Card = Record<string, unknown>;
const text = (card: unknown) => JSON.stringify(card);
const cardOf = (body: unknown): Card => {
  expect(body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  return (body as { value: Card }).value;
};
/** Every Input.* id of a card (forms). */
function inputIds(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => inputIds(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.type === 'string' && o.type.startsWith('Input.') && typeof o.id === 'string') out.push(o.id);
    Object.values(o).forEach((v) => inputIds(v, out));
  }
  return out;
}
/** Every Action.Execute verb of a card. */
function verbs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => verbs(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.type === 'Action.Execute' && typeof o.verb === 'string') out.push(o.verb);
    Object.values(o).forEach((v) => verbs(v, out));
  }
  return out;
}

beforeAll(async () => {
  await sim.start();
  app = await startTestApp({ MAILFERRY_ADMINS: ALEX.aadObjectId });
  client = new TeamsClient(app.url, sim.url);
});

afterAll(async () => {
  await app?.close();
  await sim.stop();
});

describe('Teams: create → connect → scan → match', () => {
  let projectId = '';
  let scanCardId = '';

  it('answers help in a 1:1 chat with a card', async () => {
    const dm = personalConversation(ALEX);
    const res = await client.send(ALEX, dm, 'help');
    expect(res.status).toBe(200);
    const [sent] = sim.sentTo(dm.id);
    const card = ConnectorSimulator.cardOf(sent!.activity);
    expect(card).toMatchObject({ type: 'AdaptiveCard' });
    for (const word of ['scan', 'match', 'connect']) expect(text(card)).toContain(word);
  });

  it('answers “@mailferry new” in a channel with the new-project form', async () => {
    const res = await client.send(ALEX, channel, 'new');
    expect(res.status).toBe(200);
    const form = ConnectorSimulator.cardOf(sim.sentTo(channel.id).at(-1)!.activity);
    expect(verbs(form)).toContain('project.create');
    expect(inputIds(form)).toEqual(expect.arrayContaining(['name', 'source', 'destination']));
  });

  it('creates a sandbox project from the form and answers with the project card', async () => {
    const res = await client.click(ALEX, channel, 'project.create', { name: 'acme', source: 'sandbox', destination: 'sandbox' });
    const card = cardOf(res.body);
    expect(text(card)).toContain('acme');
    const project = await app.engine.getProject(alex, 'acme');
    expect(project).toMatchObject({ sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey: `teams:${channel.id}` });
    projectId = project.id;
    expect(verbs(card)).toContain('connect.open');
  });

  it('connects both sides with the sandbox credentials form', async () => {
    const fields = app.engine.connectionForm('sandbox').fields.map((f) => f.id);
    const values: Record<string, Record<string, string>> = {
      source: { domain: 'source.example', mailboxes: '8', messagesPerMailbox: '5', seed: '3' },
      destination: { domain: 'dest.example', mailboxes: '6', messagesPerMailbox: '2', seed: '4' },
    };
    for (const side of ['source', 'destination'] as const) {
      expect(Object.keys(values[side]!).sort()).toEqual([...fields].sort());
      const open = cardOf((await client.click(ALEX, channel, 'connect.open', { projectId, side })).body);
      expect(inputIds(open)).toEqual(expect.arrayContaining(fields));
      const saved = cardOf((await client.click(ALEX, channel, 'connect.save', { projectId, side, ...values[side] })).body);
      expect(text(saved)).toContain(side === 'source' ? 'source.example' : 'dest.example');
    }
    const project = await app.engine.getProject(alex, projectId);
    expect(project.connections.map((c) => [c.side, c.status]).sort()).toEqual([['destination', 'valid'], ['source', 'valid']]);
  });

  it('scans with ONE card in the channel, edited in place until the counts are the sandbox’s', async () => {
    const before = sim.sentTo(channel.id).length;
    await client.send(ALEX, channel, 'scan acme');
    const posted = sim.sentTo(channel.id).slice(before);
    expect(posted).toHaveLength(1);
    const living = posted[0]!;
    scanCardId = living.id;

    const run = await waitForRun();
    expect(run.status).toBe('completed');
    const source = run.summary!.source;
    const items = (source.mail + source.events + source.contacts).toLocaleString('en-US');
    // The notifier edits at most every few seconds; wait for the completed version.
    await sim.waitFor(() => text(living.activity).includes('Scan complete') && text(living.activity).includes(`${items} items`), 30_000);
    expect(living.versions).toBeGreaterThan(1);
    expect(text(living.activity)).toContain(`${source.mailboxes} mailboxes`);
    // Still exactly one message for the scan: every change was a PUT of that activity.
    expect(sim.sentTo(channel.id).slice(before)).toHaveLength(1);
    const puts = sim.calls.filter((c) => c.method === 'PUT' && c.activityId === living.id && c.status === 200);
    expect(puts.length).toBe(living.versions - 1);
  }, 60_000);

  it('opens the match review and applies exclude and override from the card', async () => {
    const before = sim.sentTo(channel.id).length;
    await client.send(ALEX, channel, 'match acme');
    const review = ConnectorSimulator.cardOf(sim.sentTo(channel.id).slice(before).at(-1)!.activity);
    expect(verbs(review)).toEqual(expect.arrayContaining(['mapping.exclude']));

    const all = await app.engine.getMatchReview(alex, { project: projectId, filter: 'all', pageSize: 50 });
    const target = all.rows.find((r) => r.status !== 'excluded')!;
    const excluded = cardOf((await client.click(ALEX, channel, 'mapping.exclude', { projectId, mappingId: target.id, filter: 'all', page: 0 })).body);
    expect(text(excluded)).toContain(`${target.source.address} excluded`);
    expect((await app.engine.getMatchReview(alex, { project: projectId, filter: 'all', pageSize: 50 })).rows.find((r) => r.id === target.id)?.status).toBe('excluded');

    const other = all.rows.find((r) => r.id !== target.id)!;
    const destination = 'user1@dest.example';
    const overridden = cardOf((await client.click(ALEX, channel, 'mapping.override', { projectId, mappingId: other.id, filter: 'all', page: 0, destination })).body);
    expect(text(overridden)).toContain(`${other.source.address} → ${destination}`);
    const after = (await app.engine.getMatchReview(alex, { project: projectId, filter: 'all', pageSize: 50 })).rows.find((r) => r.id === other.id);
    expect(after?.destinationAddress ?? after?.destination?.address).toBe(destination);
  });

  it('imports a mapping CSV attached to “match acme import”', async () => {
    const csv = await app.engine.exportMappingCsv(alex, { project: projectId });
    const [header, ...lines] = csv.trim().split('\n');
    const line = lines.find((l) => !l.includes('excluded'))!;
    const source = line.split(',')[0]!;
    const edited = [header, ...lines.map((l) => (l === line ? `${source},,excluded` : l))].join('\n');
    const downloadUrl = sim.serveFile('mapping.csv', `${edited}\n`);
    const before = sim.sentTo(channel.id).length;
    await client.post(client.messageWithFile(ALEX, channel, 'match acme import', { name: 'mapping.csv', downloadUrl }));
    const answer = sim.sentTo(channel.id).slice(before).at(-1);
    expect(answer).toBeDefined();
    const rows = (await app.engine.getMatchReview(alex, { project: projectId, filter: 'all', pageSize: 50 })).rows;
    expect(rows.find((r) => r.source.address === source)?.status).toBe('excluded');
  });

  it('refuses a card action from a user without a role privately, leaves the card, and audits it', async () => {
    const mapping = (await app.engine.getMatchReview(alex, { project: projectId, filter: 'all', pageSize: 50 })).rows.find((r) => r.status !== 'excluded')!;
    const callsBefore = sim.calls.length;
    const res = await client.click(MEGAN, channel, 'mapping.exclude', { projectId, mappingId: mapping.id, filter: 'all', page: 0 });
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
    expect(String((res.body as { value: string }).value)).toMatch(/admin/);
    // Nothing posted or edited anywhere (a late edit of the finished scan card aside): the clicked card stays as it was.
    expect(sim.calls.slice(callsBefore).filter((c) => c.activityId !== scanCardId)).toEqual([]);
    expect((await app.engine.getMatchReview(alex, { project: projectId, filter: 'all', pageSize: 50 })).rows.find((r) => r.id === mapping.id)?.status).toBe(mapping.status);
    const audit = await app.engine.listAudit(ORG, 50);
    expect(audit.some((a) => a.actor === MEGAN.aadObjectId && a.outcome === 'denied')).toBe(true);
  });

  it('answers an unknown verb instead of letting the invoke time out', async () => {
    const started = Date.now();
    const res = await client.click(ALEX, channel, 'project.launch_rockets', { projectId });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(text(res.body)).toMatch(/Unknown card action/);
  });
});

async function waitForRun() {
  const until = Date.now() + 45_000;
  for (;;) {
    const run = await app.engine.latestRun(alex, { project: 'acme', mode: 'scan' });
    if (run && ['completed', 'failed', 'cancelled'].includes(run.status)) return run;
    if (Date.now() > until) throw new Error(`scan did not finish: ${run?.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
