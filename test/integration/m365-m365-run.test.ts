/**
 * Microsoft 365 → Microsoft 365 through the engine (scan, match, credits, approval, full run) with
 * mail, events and contacts, against a simulator with scaled-down limits and 10 % random 429/503
 * answers: no item fails, nothing is copied twice, no invitation is sent, and the mailbox status
 * says who throttled while it happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { corpusMessages } from '../helpers/corpus.js';
import { testEngineOptions } from '../helpers/store.js';
import { startGraphSimulator, type GraphSimulator } from '../simulators/graph/index.js';
import { admin, launch, scanAndMap, waitForRun } from './m365-run-setup.js';

const SOURCE = { tenantId: 'fabfab00-0000-4000-8000-0000000000f1', domain: 'fabrikam.example' };
const DEST = { tenantId: 'c0c0c0c0-0000-4000-8000-0000000000c1', domain: 'contoso.example' };
const app = { clientId: 'mailferry-m2m', clientSecret: 'm2m-secret' };
const NAMES = ['ann', 'ben', 'cy'];
const MESSAGES = 16;
/** Scaled down from 10,000 requests / 10 min and 150 MB / 5 min. */
const LIMITS = { concurrency: 4, requestsPerWindow: 120, windowMs: 4_000, uploadBytesPerWindow: 400_000, uploadWindowMs: 2_000 };

let sim: GraphSimulator;
let engine: Engine;
const m365 = (tenantId: string) => ({ platform: 'm365' as const, tenantId, clientId: app.clientId, clientSecret: app.clientSecret });

function mailView(tenantId: string, address: string): string[] {
  return sim.mailbox(tenantId, address).messages.map((m) => `${m.path.join('/')}|${m.internetMessageId}|${m.isRead}|${m.flagged}|${m.categories.join(',')}|${m.receivedDateTime}|${m.isDraft}`).sort();
}

function pimView(tenantId: string, address: string): { events: string[]; contacts: string[] } {
  const box = sim.mailbox(tenantId, address);
  return {
    events: box.events.map((e) => `${e.calendar}|${e.subject}|${e.start.slice(0, 19)}|${e.end.slice(0, 19)}`).sort(),
    contacts: box.contacts.map((c) => `${c.folder}|${c.displayName}|${c.emails.join(',')}`).sort(),
  };
}

beforeAll(async () => {
  sim = await startGraphSimulator({ limits: LIMITS, faults: { randomThrottleRate: 0.05, random503Rate: 0.05, seed: 11 } });
  sim.addTenant({ ...SOURCE, displayName: 'Fabrikam', apps: [app] });
  sim.addTenant({ ...DEST, displayName: 'Contoso', apps: [app] });
  let offset = 700;
  for (const [n, name] of NAMES.entries()) {
    const id = sim.addUser(SOURCE.tenantId, { address: `${name}@fabrikam.example`, displayName: name }).id;
    sim.addUser(DEST.tenantId, { address: `${name}@contoso.example`, displayName: name });
    corpusMessages(MESSAGES, offset).forEach((mime, i) => {
      const path = i < 9 ? ['Inbox'] : i < 13 ? ['Inbox', 'Projects', 'Été'] : i < 14 ? ['Archive'] : ['Conversation History'];
      sim.addMessage(SOURCE.tenantId, id, path, { mime, isRead: i % 2 === 0, flagged: i % 5 === 0, categories: i % 7 === 0 ? ['Red category'] : [], hidden: i >= 14, receivedDateTime: new Date(Date.UTC(2020 + n, i % 12, 1 + i, 8)).toISOString() });
    });
    offset += MESSAGES;
    sim.addEvent(SOURCE.tenantId, id, { subject: `Weekly sync ${name}`, start: '2024-05-06T09:00:00', end: '2024-05-06T09:30:00', attendees: ['ann@fabrikam.example', 'vendor@example.org'] });
    sim.addEvent(SOURCE.tenantId, id, { subject: 'Dentist', start: '2024-05-07T15:00:00', end: '2024-05-07T16:00:00' });
    sim.addEvent(SOURCE.tenantId, id, { subject: 'Offsite', start: '2024-06-01T08:00:00', end: '2024-06-01T18:00:00', calendar: 'Team', attendees: ['ben@fabrikam.example'] });
    sim.addContact(SOURCE.tenantId, id, { displayName: `Chloé of ${name}`, email: `chloe.${name}@example.org` });
    sim.addContact(SOURCE.tenantId, id, { displayName: 'Dmitri Petrov', email: 'dmitri@example.org', folder: 'Suppliers' });
  }
  engine = await createEngine(testEngineOptions({
    connectorEnv: {
      graphBaseUrl: sim.baseUrl, authorityHost: sim.authorityHost, caCertPem: sim.caCertPem,
      graphLimits: { concurrencyPerMailbox: LIMITS.concurrency, requestsPerWindow: LIMITS.requestsPerWindow, windowMs: LIMITS.windowMs, uploadBytesPerWindow: LIMITS.uploadBytesPerWindow },
    },
  }));
  await engine.startWorkers();
  await engine.createProject(admin, { name: 'm2m', sourcePlatform: 'm365', destinationPlatform: 'm365', channelKey: 'slack:T365:C9' });
  await engine.saveConnection(admin, { project: 'm2m', side: 'source', settings: m365(SOURCE.tenantId) });
  await engine.saveConnection(admin, { project: 'm2m', side: 'destination', settings: m365(DEST.tenantId) });
  await scanAndMap(engine, 'm2m', (source) => source.replace('fabrikam.example', 'contoso.example'));
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await sim?.close();
});

describe('Microsoft 365 → Microsoft 365 under throttling', () => {
  it('copies mail, events and contacts exactly once, fails no item, sends no invitation, and says who throttled', async () => {
    const reasons = new Set<string>();
    const run = await launch(engine, 'm2m', 'full');
    const done = await waitForRun(engine, run.id, 80_000, async () => {
      for (const name of NAMES) {
        const status = await engine.mailboxStatus(admin, { address: `${name}@fabrikam.example` }).catch(() => null);
        if (status?.healthReason) reasons.add(status.healthReason);
      }
    });
    expect(done.status, done.error ?? '').toBe('completed');
    expect(done.progress).toMatchObject({ itemsFailed: 0, mailboxesDone: 3, mailboxesFailed: 0, itemsDone: NAMES.length * (MESSAGES + 3 + 2) });
    for (const name of NAMES) {
      const source = mailView(SOURCE.tenantId, `${name}@fabrikam.example`);
      expect(mailView(DEST.tenantId, `${name}@contoso.example`)).toEqual(source);
      const pim = pimView(SOURCE.tenantId, `${name}@fabrikam.example`);
      expect(pimView(DEST.tenantId, `${name}@contoso.example`)).toEqual(pim);
      expect(sim.mailbox(DEST.tenantId, `${name}@contoso.example`).events.every((e) => e.attendees.length === 0)).toBe(true);
    }
    expect(sim.stats.invitationsSent).toBe(0);
    expect(sim.stats.draftsCreated).toBe(0);
    expect(sim.stats.throttled.random + sim.stats.unavailable503).toBeGreaterThan(0);
    expect([...reasons].some((r) => /throttled by (source|destination)/.test(r))).toBe(true);
    const logs = await Promise.all(NAMES.map((name) => engine.mailboxLog(admin, { address: `${name}@fabrikam.example`, pageSize: 200 })));
    expect(logs.flatMap((l) => l.entries.map((e) => e.message)).some((m) => /^Throttled .* by (source|destination)$/.test(m))).toBe(true);
    expect(await engine.getVerification(admin, { project: 'm2m' })).toMatchObject({ missingTotal: 0, consistencyPercent: 100 });
  }, 85_000);
});
