/**
 * Shared by m365-chat-slack and m365-chat-teams: two Microsoft 365 tenants in the Graph simulator
 * (source Fabrikam: 20 mailboxes — users, shared mailboxes and a room; destination Contoso: the
 * same people except two, who are created at launch), mailferry's multi-tenant app for guided
 * consent, and the checks a correct run must pass, read from the simulator's own truth.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import { corpusMessages } from '../helpers/corpus.js';
import { startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from '../simulators/graph/index.js';

export const SOURCE_TENANT = '5a1e0000-0000-4000-8000-00000000f001';
export const DEST_TENANT = '5a1e0000-0000-4000-8000-00000000c002';
export const SOURCE_DOMAIN = 'fabrikam.example';
export const DEST_DOMAIN = 'contoso.example';
/** mailferry's own multi-tenant app (M365_CLIENT_ID / M365_CLIENT_SECRET). */
export const MAILFERRY_APP = { clientId: 'f00dfeed-0000-4000-8000-0000000000a1', clientSecret: 'mailferry-app-secret' };
/** The destination tenant's own app registration, for the manual way. */
export const OWN_APP = { clientId: 'c0ffee00-0000-4000-8000-0000000000b2', clientSecret: 'contoso-own-secret' };
export const SKU_EXCHANGE = '4b9405b0-7788-4568-add1-99614e613b69';
export const SKU_E3 = '6fd2c87f-b296-42f0-b197-1e91e994b900';

/** 16 users, 3 shared mailboxes and a room: 20 mailboxes. The last two users do not exist at the destination. */
export const SOURCE_MAILBOXES: { local: string; name: string; purpose: 'user' | 'shared' | 'room' }[] = [
  ...Array.from({ length: 16 }, (_, i) => ({ local: `user${i + 1}`, name: `User ${i + 1}`, purpose: 'user' as const })),
  { local: 'sales', name: 'Sales', purpose: 'shared' },
  { local: 'support', name: 'Support', purpose: 'shared' },
  { local: 'finance', name: 'Finance', purpose: 'shared' },
  { local: 'boardroom', name: 'Boardroom', purpose: 'room' },
];
export const MISSING = ['user15', 'user16'];
export const ROOM = `boardroom@${SOURCE_DOMAIN}`;

export interface M365World {
  sim: GraphSimulator;
  /** Which tenant the consenting admin signs in to (the simulator reads its options live). */
  consentAs(tenantId: string): void;
  /** Whether that admin accepts or declines on Microsoft's page. */
  consentDecision(decision: 'accept' | 'deny'): void;
  /** Environment for startTestApp: the simulator's hosts, its CA, mailferry's app and public URL. */
  env: Record<string, string>;
  port: number;
  /** Adds one more message to a source mailbox (for the delta run). */
  addMail(local: string, index: number): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startM365World(): Promise<M365World> {
  const options: GraphSimulatorOptions = { consentTenant: SOURCE_TENANT, provisioningDelayMs: 1500 };
  const sim = await startGraphSimulator(options);
  sim.addMultiTenantApp(MAILFERRY_APP);
  sim.addTenant({ tenantId: SOURCE_TENANT, domain: SOURCE_DOMAIN, displayName: 'Fabrikam' });
  sim.addTenant({ tenantId: DEST_TENANT, domain: DEST_DOMAIN, displayName: 'Contoso', apps: [OWN_APP] });
  sim.addSku(DEST_TENANT, { skuId: SKU_EXCHANGE, skuPartNumber: 'EXCHANGESTANDARD', enabled: 25 });
  sim.addSku(DEST_TENANT, { skuId: SKU_E3, skuPartNumber: 'ENTERPRISEPACK', enabled: 5 });
  const mimes = corpusMessages(200);
  let next = 0;
  const ids = new Map<string, string>();
  SOURCE_MAILBOXES.forEach((m, i) => {
    const id = sim.addUser(SOURCE_TENANT, { address: `${m.local}@${SOURCE_DOMAIN}`, displayName: m.name, purpose: m.purpose }).id;
    ids.set(m.local, id);
    for (let k = 0; k < 3; k++) sim.addMessage(SOURCE_TENANT, id, ['Inbox'], { mime: mimes[next++]!, isRead: k % 2 === 0 });
    sim.addMessage(SOURCE_TENANT, id, ['Inbox', 'Projects'], { mime: mimes[next++]!, flagged: true });
    sim.addMessage(SOURCE_TENANT, id, ['Sent Items'], { mime: mimes[next++]!, isRead: true });
    // Attendees on the source: copying must not invite them.
    sim.addEvent(SOURCE_TENANT, id, { subject: `Weekly sync ${i + 1}`, start: '2026-12-01T09:00:00', end: '2026-12-01T09:30:00', attendees: [`user1@${SOURCE_DOMAIN}`, `user2@${SOURCE_DOMAIN}`] });
    sim.addContact(SOURCE_TENANT, id, { displayName: `Partner ${i + 1}`, email: `partner${i + 1}@partners.example` });
    if (!MISSING.includes(m.local)) sim.addUser(DEST_TENANT, { address: `${m.local}@${DEST_DOMAIN}`, displayName: m.name, purpose: m.purpose });
  });
  const dir = mkdtempSync(join(tmpdir(), 'mf-m365-'));
  const caFile = join(dir, 'graph-ca.pem');
  writeFileSync(caFile, sim.caCertPem);
  const port = await freePort();
  return {
    sim,
    consentAs: (tenantId) => { options.consentTenant = tenantId; },
    consentDecision: (decision) => { options.consentDecision = decision; },
    port,
    env: {
      PORT: String(port),
      MAILFERRY_PUBLIC_URL: `http://127.0.0.1:${port}`,
      M365_CLIENT_ID: MAILFERRY_APP.clientId,
      M365_CLIENT_SECRET: MAILFERRY_APP.clientSecret,
      GRAPH_BASE_URL: sim.baseUrl,
      MSAL_AUTHORITY_HOST: sim.authorityHost,
      M365_CA_CERT_FILE: caFile,
    },
    addMail: (local, index) => {
      const mime = Buffer.from(`Message-ID: <delta-${index}-${randomUUID()}@fabrikam.example>\r\nFrom: partner@partners.example\r\nTo: ${local}@${SOURCE_DOMAIN}\r\nSubject: Delta ${index}\r\nDate: Tue, 24 Nov 2026 08:00:00 +0000\r\nContent-Type: text/plain\r\n\r\nNew since the full run.\r\n`);
      sim.addMessage(SOURCE_TENANT, ids.get(local)!, ['Inbox'], { mime });
    },
  };
}

/** What an admin's browser does with the consent link: Microsoft's page answers with a redirect, which the browser follows to mailferry. */
export async function followConsent(world: M365World, consentUrl: string): Promise<{ status: number; html: string }> {
  const location = await new Promise<string>((resolve, reject) => {
    const req = request(consentUrl, { method: 'GET', ca: world.sim.caCertPem }, (res) => {
      res.resume();
      if (res.statusCode !== 302 || !res.headers.location) reject(new Error(`consent page answered ${res.statusCode}`));
      else resolve(res.headers.location);
    });
    req.on('error', reject);
    req.end();
  });
  const back = await fetch(location, { redirect: 'manual' });
  return { status: back.status, html: await back.text() };
}

/** Every source item arrived exactly once at its destination (by Message-ID, event subject, contact name); nothing is a draft. */
export function expectEveryItemOnce(sim: GraphSimulator, pairs: { source: string; destination: string }[]): number {
  let items = 0;
  for (const pair of pairs) {
    const from = sim.mailbox(SOURCE_TENANT, pair.source);
    const to = sim.mailbox(DEST_TENANT, pair.destination);
    const ids = (messages: { internetMessageId: string | null; subject: string }[]) => messages.map((m) => m.internetMessageId ?? m.subject).sort();
    expect(ids(to.messages), `${pair.destination} mail`).toEqual(ids(from.messages));
    expect(to.messages.filter((m) => m.isDraft), `${pair.destination} drafts`).toEqual([]);
    expect(to.events.map((e) => e.subject).sort(), `${pair.destination} events`).toEqual(from.events.map((e) => e.subject).sort());
    expect(to.contacts.map((c) => c.displayName).sort(), `${pair.destination} contacts`).toEqual(from.contacts.map((c) => c.displayName).sort());
    items += from.messages.length + from.events.length + from.contacts.length;
  }
  return items;
}

export function allPairs(): { source: string; destination: string }[] {
  return SOURCE_MAILBOXES.map((m) => ({ source: `${m.local}@${SOURCE_DOMAIN}`, destination: `${m.local}@${DEST_DOMAIN}` }));
}

/**
 * Drops a test database once the stopped app's connections have gone: its pool closes sockets in the
 * background, and a forced drop would kill them mid-goodbye (an uncaught error in the test run).
 */
export async function dropWhenIdle(databaseUrl: string, drop: () => Promise<void>, ms = 5000): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  try {
    for (const deadline = Date.now() + ms; Date.now() < deadline;) {
      const { rows } = await admin.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1', [name]);
      if (Number(rows[0]?.n ?? 0) === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await admin.end();
  }
  await drop();
}
