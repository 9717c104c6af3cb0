/**
 * The Microsoft 365 connector against the Graph simulator (HTTPS, self-signed CA, msal-node sign-in):
 * scan counts equal the simulator's truth, writes are received (non-draft) items with their dates and
 * read state, events send no invitation, delta reports the changes and resets on 410, the probe finds
 * what was written, and sign-in errors say what to fix.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { createConnector } from '../../src/engine/connectors/index.js';
import type { Connector, ConnectorEnv, FolderInfo, Item, MailboxRef } from '../../src/engine/connectors/types.js';
import { SANDBOX_FOLDERS, sandboxItem, sandboxMailbox } from '../../src/engine/connectors/sandbox/sandbox-tenant.js';
import { corpusMessages } from '../helpers/corpus.js';
import { startGraphSimulator, type GraphSimulator } from '../simulators/graph/index.js';

const T = { tenantId: 'aaaaaaaa-0000-4000-8000-000000000001', domain: 'contoso.example' };
const app = { clientId: 'mailferry-test', clientSecret: 'right-secret' };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let sim: GraphSimulator;
let env: ConnectorEnv;
let m365: Connector;
let ada: MailboxRef;
let bea: MailboxRef;
const ids: Record<string, string> = {};

const connect = (o: { secret?: string; tenantId?: string } = {}) =>
  createConnector({ platform: 'm365', tenantId: o.tenantId ?? T.tenantId, clientId: app.clientId, clientSecret: o.secret ?? app.clientSecret }, env);

async function allMailboxes(c: Connector): Promise<MailboxRef[]> {
  const out: MailboxRef[] = [];
  let page: string | undefined;
  do {
    const result = await c.listMailboxes(page);
    out.push(...result.mailboxes);
    page = result.nextPage;
  } while (page);
  return out;
}

async function drain(c: Connector, mailbox: MailboxRef, folder: FolderInfo, cursor?: string) {
  const changes = [];
  let reset = false;
  for (;;) {
    const page = await c.listChanges(mailbox, folder, cursor);
    changes.push(...page.changes);
    reset ||= page.reset === true;
    cursor = page.cursor;
    if (!page.more) return { changes, cursor, reset };
  }
}

beforeAll(async () => {
  sim = await startGraphSimulator({ provisioningDelayMs: 200 });
  env = { graphBaseUrl: sim.baseUrl, authorityHost: sim.authorityHost, caCertPem: sim.caCertPem };
  sim.addTenant({ ...T, displayName: 'Contoso', apps: [app] });
  ids.ada = sim.addUser(T.tenantId, { address: 'ada@contoso.example', displayName: 'Ada' }).id;
  ids.bea = sim.addUser(T.tenantId, { address: 'bea@contoso.example', displayName: 'Bea' }).id;
  sim.addUser(T.tenantId, { address: 'desk@contoso.example', displayName: 'Front desk', purpose: 'shared' });
  sim.addUser(T.tenantId, { address: 'room1@contoso.example', displayName: 'Room 1', purpose: 'room' });
  sim.addUser(T.tenantId, { address: 'ghost@contoso.example', displayName: 'No mailbox', mailbox: false });
  // More users than one page (100) of /users.
  for (let i = 0; i < 101; i++) sim.addUser(T.tenantId, { address: `u${i}@contoso.example`, displayName: `User ${i}` });
  const mimes = corpusMessages(14, 100);
  mimes.forEach((mime, i) => {
    const path = i < 8 ? ['Inbox'] : i < 11 ? ['Inbox', 'Projects'] : ['Sync Issues'];
    sim.addMessage(T.tenantId, ids.ada!, path, { mime, isRead: i % 2 === 0, flagged: i === 1, categories: i === 2 ? ['Blue category'] : [], hidden: i >= 11, receivedDateTime: new Date(Date.UTC(2021, 0, 1 + i)).toISOString() });
  });
  sim.addEvent(T.tenantId, ids.ada!, { subject: 'Planning', start: '2024-03-01T09:00:00', end: '2024-03-01T10:00:00', attendees: ['bea@contoso.example', 'cy@example.org'] });
  sim.addEvent(T.tenantId, ids.ada!, { subject: 'Offsite', start: '2024-04-02T09:00:00', end: '2024-04-02T17:00:00', calendar: 'Team' });
  sim.addContact(T.tenantId, ids.ada!, { displayName: 'Chloé Dubois', email: 'chloe@example.org' });
  sim.addContact(T.tenantId, ids.ada!, { displayName: 'Dmitri Petrov', email: 'dmitri@example.org', folder: 'Suppliers' });
  m365 = await connect();
  const all = await allMailboxes(m365);
  ada = all.find((m) => m.address === 'ada@contoso.example')!;
  bea = all.find((m) => m.address === 'bea@contoso.example')!;
}, 30_000);

afterAll(async () => {
  await m365?.close();
  await sim?.close();
});

describe('Microsoft 365 connector: scan', () => {
  it('lists every user with a mailbox, page by page, with the kind from userPurpose', async () => {
    const all = await allMailboxes(m365);
    expect(all).toHaveLength(105);
    expect(all.find((m) => m.address === 'ghost@contoso.example')).toBeUndefined();
    expect(all.find((m) => m.address === 'desk@contoso.example')?.kind).toBe('shared');
    expect(all.find((m) => m.address === 'room1@contoso.example')?.kind).toBe('room');
    expect(ada).toMatchObject({ id: ids.ada, kind: 'user', displayName: 'Ada' });
  });

  it('retries $batch inner 429s: kinds stay complete under random throttling', async () => {
    const before = sim.stats.batchInner429;
    sim.setFaults({ randomThrottleRate: 0.15, seed: 7 });
    try {
      const all = await allMailboxes(m365);
      expect(all).toHaveLength(105);
      expect(all.filter((m) => m.kind === 'shared').map((m) => m.address)).toEqual(['desk@contoso.example']);
    } finally {
      sim.setFaults({});
    }
    expect(sim.stats.batchInner429).toBeGreaterThan(before);
  });

  it('counts folders (hidden ones included), mail, events and contacts as the simulator holds them', async () => {
    const truth = sim.mailbox(T.tenantId, ids.ada!);
    const stats = await m365.mailboxStats(ada);
    expect(stats.mail).toBe(truth.messages.length);
    expect(stats.events).toBe(truth.events.length);
    expect(stats.contacts).toBe(truth.contacts.length);
    const folders = await m365.listFolders(ada, { withStats: true });
    const mail = folders.filter((f) => f.itemType === 'mail');
    expect(mail.map((f) => f.path.join('/')).sort()).toEqual(truth.folders.map((f) => f.path.join('/')).sort());
    expect(mail.find((f) => f.path.join('/') === 'Sync Issues')?.count).toBe(3);
    expect(mail.find((f) => f.role === 'inbox')?.count).toBe(8);
    expect(stats.folders).toBe(truth.folders.length + 2 + 2);
    expect(stats.bytes).toBe(truth.messages.reduce((s, m) => s + m.mime.length, 0));
    expect(sim.stats.missingImmutableIdPrefer).toBe(0);
  });
});

describe('Microsoft 365 connector: items', () => {
  it('writes mail as received items with date, read state, flag and categories; reads it back as MIME', async () => {
    const inbox = await m365.ensureFolder(bea, ['INBOX'], 'inbox', 'mail');
    const nested = await m365.ensureFolder(bea, ['INBOX', 'Été 2024'], null, 'mail');
    expect(nested.path).toEqual(['Inbox', 'Été 2024']);
    const [read, unread] = corpusMessages(2, 200);
    const date = new Date('2019-03-04T05:06:07Z');
    const a = await m365.writeItem(bea, inbox, { key: 'src1', type: 'mail', content: read!, flags: ['\\Seen', '$Label1'], date, hash: sha(read!) });
    const b = await m365.writeItem(bea, nested, { key: 'src2', type: 'mail', content: unread!, flags: ['\\Flagged'], date, hash: sha(unread!) });
    const truth = sim.mailbox(T.tenantId, ids.bea!);
    const byId = new Map(truth.messages.map((m) => [m.id, m]));
    expect(byId.get(a.key)).toMatchObject({ isDraft: false, isRead: true, receivedDateTime: date.toISOString(), categories: ['$Label1'], path: ['Inbox'] });
    expect(byId.get(b.key)).toMatchObject({ isDraft: false, isRead: false, flagged: true, path: ['Inbox', 'Été 2024'] });
    expect(sim.stats.draftsCreated).toBe(0);
    const back = await m365.readItem(bea, inbox, a.key);
    expect(back).toMatchObject({ key: a.key, type: 'mail', flags: ['\\Seen', '$Label1'], date });
    expect(back.content.toString('latin1')).toContain('Subject:');
    // The probe finds it by Message-ID after a crash between write and ledger.
    expect(await m365.probeItem(bea, inbox, { messageId: back.messageId, hash: sha(read!), date, type: 'mail' })).toBe(a.key);
  });

  it('probes by the source hash stamped on a write (also without Message-ID), else by Message-ID', async () => {
    const drafts = await m365.ensureFolder(bea, ['Notes'], null, 'mail');
    const raw = Buffer.from('From: a@example.org\r\nTo: b@example.org\r\nSubject: no id\r\n\r\nbody\r\n');
    const item: Item = { key: 'x', type: 'mail', content: raw, flags: [], date: new Date('2020-01-01T00:00:00Z'), hash: sha(raw) };
    expect(await m365.probeItem(bea, drafts, item)).toBeNull();
    const written = await m365.writeItem(bea, drafts, item);
    expect(await m365.probeItem(bea, drafts, item)).toBe(written.key);
    // A message that did not come from mailferry carries no hash: found by its Message-ID.
    const seeded = sim.mailbox(T.tenantId, ids.ada!).messages.find((m) => m.path.join('/') === 'Inbox/Projects')!;
    const projects = (await m365.listFolders(ada)).find((f) => f.path.join('/') === 'Inbox/Projects')!;
    expect(await m365.probeItem(ada, projects, { messageId: seeded.internetMessageId!, hash: 'unknown', date: new Date(), type: 'mail' })).toBe(seeded.id);
  });

  it('writes a message over Graph\'s 4 MB request limit without its largest attachments first, then adds them; one over 3 MB through an upload session', async () => {
    const inbox = await m365.ensureFolder(bea, ['INBOX'], 'inbox', 'mail');
    const part = (name: string, bytes: number) => [
      '--b', `Content-Type: application/octet-stream; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64', '',
      Buffer.alloc(bytes, name).toString('base64').replace(/.{76}/g, '$&\r\n'),
    ].join('\r\n');
    const mime = (parts: string[]) => Buffer.from([
      'From: a@example.org', 'To: bea@contoso.example', 'Subject: big', 'Message-ID: <big-' + parts.length + '@example.org>', 'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'see attached', ...parts, '--b--', '',
    ].join('\r\n'));
    const big = mime([part('one.bin', 1_400_000), part('two.bin', 1_400_000), part('three.bin', 1_400_000)]);
    const written = await m365.writeItem(bea, inbox, { key: 'big', type: 'mail', content: big, flags: [], date: new Date('2020-02-02T00:00:00Z'), hash: sha(big) });
    const back = await m365.readItem(bea, inbox, written.key);
    const { simpleParser } = await import('mailparser');
    const parsed = await simpleParser(back.content);
    expect(parsed.attachments.map((a) => [a.filename, a.size]).sort()).toEqual([['one.bin', 1_400_000], ['three.bin', 1_400_000], ['two.bin', 1_400_000]]);
    expect(sim.mailbox(T.tenantId, ids.bea!).messages.find((m) => m.id === written.key)?.isDraft).toBe(false);
    const huge = mime([part('huge.bin', 3_500_000)]);
    const hugeItem = { key: 'huge', type: 'mail' as const, content: huge, flags: [], date: new Date(), hash: sha(huge) };
    const landed = await m365.writeItem(bea, inbox, hugeItem);
    const hugeBack = await simpleParser((await m365.readItem(bea, inbox, landed.key)).content);
    expect(hugeBack.attachments.map((a) => [a.filename, a.content.equals(Buffer.alloc(3_500_000, 'huge.bin'))])).toEqual([['huge.bin', true]]);
    expect(sim.mailbox(T.tenantId, ids.bea!).messages.find((m) => m.id === landed.key)?.isDraft).toBe(false);
    expect(await m365.probeItem(bea, inbox, hugeItem)).toBe(landed.key);
  });

  it('reads events as ICS with their attendees and writes them without sending a single invitation', async () => {
    const folders = await m365.listFolders(ada);
    const calendar = folders.find((f) => f.itemType === 'event' && f.path[0] === 'Calendar')!;
    const { changes } = await drain(m365, ada, calendar);
    const event = await m365.readItem(ada, calendar, changes[0]!.key);
    const ics = event.content.toString('utf8').replace(/\r\n /g, '');
    expect(ics).toContain('SUMMARY:Planning');
    expect(ics).toContain('DTSTART:20240301T090000Z');
    expect(ics).toMatch(/ATTENDEE[^\r\n]*mailto:bea@contoso\.example/);
    const target = await m365.ensureFolder(bea, ['Calendar'], null, 'event');
    const team = await m365.ensureFolder(bea, ['Team'], null, 'event');
    expect(team.key).not.toBe(target.key);
    const written = await m365.writeItem(bea, target, event);
    expect(sim.stats.invitationsSent).toBe(0);
    const truth = sim.mailbox(T.tenantId, ids.bea!).events.find((e) => e.id === written.key)!;
    expect(truth).toMatchObject({ subject: 'Planning', attendees: [], calendar: 'Calendar' });
    expect(truth.start).toMatch(/^2024-03-01T09:00:00/);
    expect(await m365.probeItem(bea, target, event)).toBe(written.key);
    expect(await m365.probeItem(bea, team, event)).toBeNull();
  });

  it('moves contacts as vCard 3.0 into the default folder and named folders', async () => {
    const folders = await m365.listFolders(ada);
    const suppliers = folders.find((f) => f.itemType === 'contact' && f.path.join('/') === 'Contacts/Suppliers')!;
    const { changes } = await drain(m365, ada, suppliers);
    const card = await m365.readItem(ada, suppliers, changes[0]!.key);
    expect(card.content.toString('utf8')).toMatch(/^BEGIN:VCARD\r\nVERSION:3\.0\r\nFN:Dmitri Petrov\r\n/);
    const target = await m365.ensureFolder(bea, ['Contacts', 'Suppliers'], null, 'contact');
    const written = await m365.writeItem(bea, target, card);
    const truth = sim.mailbox(T.tenantId, ids.bea!).contacts.find((c) => c.id === written.key);
    expect(truth).toMatchObject({ folder: 'Suppliers', displayName: 'Dmitri Petrov', emails: ['dmitri@example.org'] });
    expect(await m365.probeItem(bea, target, card)).toBe(written.key);
  });
});

describe('Microsoft 365 connector: items from other platforms', () => {
  it('takes the sandbox\'s ICS events and vCard contacts into the default calendar and contacts', async () => {
    const shape = { seed: 3, mailboxes: 2, messagesPerMailbox: 0, domain: 'sandbox.example' };
    const calendar = SANDBOX_FOLDERS.find((f) => f.itemType === 'event')!;
    const contacts = SANDBOX_FOLDERS.find((f) => f.itemType === 'contact')!;
    const event = sandboxItem(shape, 1, calendar, 0);
    const card = sandboxItem(shape, 1, contacts, 0);
    const toCalendar = await m365.ensureFolder(bea, calendar.path, null, 'event');
    const toContacts = await m365.ensureFolder(bea, contacts.path, null, 'contact');
    expect(toContacts.key).toBe('contacts:default');
    const e = await m365.writeItem(bea, toCalendar, event);
    const c = await m365.writeItem(bea, toContacts, card);
    const truth = sim.mailbox(T.tenantId, ids.bea!);
    expect(truth.events.find((x) => x.id === e.key)).toMatchObject({ calendar: 'Calendar', subject: 'Sandbox event 0', start: event.date.toISOString().slice(0, 19), end: new Date(event.date.getTime() + 3_600_000).toISOString().slice(0, 19) });
    expect(truth.contacts.find((x) => x.id === c.key)).toMatchObject({ folder: 'Contacts', displayName: 'Contact 0 of ' + sandboxMailbox(shape, 1).displayName, emails: ['contact0@example.org'] });
  });
});

describe('Microsoft 365 connector: delta', () => {
  it('reports exactly the new and changed messages after a pass, and resets on 410', async () => {
    const folders = await m365.listFolders(ada);
    const projects = folders.find((f) => f.path.join('/') === 'Inbox/Projects')!;
    const first = await drain(m365, ada, projects);
    expect(first.changes.filter((c) => c.kind === 'upsert')).toHaveLength(3);
    expect(first.reset).toBe(false);
    const quiet = await drain(m365, ada, projects, first.cursor);
    expect(quiet.changes).toEqual([]);
    const added = sim.addMessage(T.tenantId, ids.ada!, ['Inbox', 'Projects'], { mime: corpusMessages(1, 300)[0]! }).id;
    const changed = first.changes[0]!.key;
    await m365.updateFlags!(ada, projects, changed, ['\\Seen', '\\Flagged']);
    const second = await drain(m365, ada, projects, quiet.cursor);
    expect(new Set(second.changes.map((c) => c.key))).toEqual(new Set([added, changed]));
    expect(second.changes.find((c) => c.key === changed && c.kind === 'flags')?.flags).toEqual(['\\Seen', '\\Flagged']);
    sim.expireDeltaTokens();
    const gone = sim.stats.gone410;
    const again = await drain(m365, ada, projects, second.cursor);
    expect(sim.stats.gone410).toBe(gone + 1);
    expect(again.reset).toBe(true);
    expect(again.changes.filter((c) => c.kind === 'upsert')).toHaveLength(4);
  });
});

describe('Microsoft 365 connector: limits and errors', () => {
  it('turns 429 and 503 into THROTTLED with the server\'s Retry-After', async () => {
    const inbox = (await m365.listFolders(ada)).find((f) => f.role === 'inbox')!;
    sim.setFaults({ randomThrottleRate: 1 });
    try {
      const error = await m365.listChanges(ada, inbox, undefined).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'THROTTLED', retryAfterMs: 1000 });
    } finally {
      sim.setFaults({});
    }
    sim.setFaults({ random503Rate: 1 });
    try {
      await expect(m365.listChanges(ada, inbox, undefined)).rejects.toMatchObject({ code: 'THROTTLED', retryAfterMs: 1000 });
    } finally {
      sim.setFaults({});
    }
  });

  it('declares Microsoft\'s limits, or the scaled ones it is given', async () => {
    expect(m365.limits).toMatchObject({ concurrencyPerMailbox: 4, requestsPerWindow: 10_000, windowMs: 600_000, uploadBytesPerWindow: 150 * 1024 * 1024 });
    const scaled = await createConnector({ platform: 'm365', tenantId: T.tenantId, clientId: app.clientId, clientSecret: app.clientSecret }, { ...env, graphLimits: { requestsPerWindow: 50, windowMs: 5_000 } });
    expect(scaled.limits).toMatchObject({ concurrencyPerMailbox: 4, requestsPerWindow: 50, windowMs: 5_000 });
    await scaled.close();
  });

  it('validates the connection and says what to fix on a wrong secret or an unknown tenant', async () => {
    expect(await m365.validate()).toMatchObject({ ok: true, summary: expect.stringContaining('Contoso (contoso.example)') });
    const wrong = await connect({ secret: 'the-secret-id-not-its-value' });
    const error = await wrong.validate().catch((e: unknown) => e);
    await wrong.close();
    expect(error).toMatchObject({ code: 'AUTH_FAILED' });
    expect((error as AppError).userMessage).toContain('AADSTS7000215');
    expect((error as AppError).userMessage).toContain('copy the secret\'s Value (not its ID)');
    expect((error as AppError).userMessage).not.toContain('the-secret-id-not-its-value');
    const lost = await connect({ tenantId: 'bbbbbbbb-0000-4000-8000-000000000009' });
    await expect(lost.validate()).rejects.toMatchObject({ code: 'AUTH_FAILED', userMessage: expect.stringContaining('AADSTS90002') });
    await lost.close();
  });

  it('creates a licensed mailbox with a strong password and tells when it is ready', async () => {
    sim.addSku(T.tenantId, { skuId: 'sku-e3', skuPartNumber: 'ENTERPRISEPACK', enabled: 3 });
    expect(await m365.listLicenseSkus!()).toEqual([{ skuId: 'sku-e3', name: 'ENTERPRISEPACK', available: 3 }]);
    const created = await m365.createMailbox!({ address: 'new.hire@contoso.example', displayName: 'New Hire', usageLocation: 'FR', skuId: 'sku-e3' });
    expect(created).toMatchObject({ address: 'new.hire@contoso.example', kind: 'user' });
    expect(JSON.stringify(created)).not.toMatch(/password/i);
    expect(sim.users(T.tenantId).find((u) => u.address === 'new.hire@contoso.example')).toMatchObject({ licensed: ['sku-e3'], usageLocation: 'FR' });
    expect(await m365.mailboxReady!(created)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(await m365.mailboxReady!(created)).toBe(true);
    expect(await m365.listLicenseSkus!()).toEqual([{ skuId: 'sku-e3', name: 'ENTERPRISEPACK', available: 2 }]);
    await expect(m365.createMailbox!({ address: 'new.hire@contoso.example', displayName: 'Again', skuId: 'sku-e3' })).rejects.toMatchObject({ code: 'CONFLICT' });
    // A retry of the attempt that created it adopts the same user and assigns no second seat.
    await expect(m365.createMailbox!({ address: 'new.hire@contoso.example', displayName: 'Again', skuId: 'sku-e3', adopt: true })).resolves.toMatchObject({ id: created.id });
    expect(await m365.listLicenseSkus!()).toEqual([{ skuId: 'sku-e3', name: 'ENTERPRISEPACK', available: 2 }]);
    // No seat left: nothing is created (a user without a license would never get a mailbox).
    sim.addSku(T.tenantId, { skuId: 'sku-full', skuPartNumber: 'EXCHANGESTANDARD', enabled: 0 });
    const users = sim.users(T.tenantId).length;
    await expect(m365.createMailbox!({ address: 'late@contoso.example', displayName: 'Late', usageLocation: 'FR', skuId: 'sku-full' }))
      .rejects.toMatchObject({ code: 'BAD_INPUT', userMessage: expect.stringContaining('No EXCHANGESTANDARD license is left') });
    expect(sim.users(T.tenantId)).toHaveLength(users);
  });
});
