/**
 * The IMAP connector against real Dovecot servers, checked by an independent imapflow client
 * (test/helpers/dovecot.ts) that shares no code with the connector.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { createImapConnector } from '../../src/engine/connectors/imap/imap-connector.js';
import { listChanges } from '../../src/engine/connectors/imap/imap-changes.js';
import { closeParked } from '../../src/engine/connectors/imap/imap-parking.js';
import type { Connector, ConnectionSettings, FolderInfo, MailboxRef } from '../../src/engine/connectors/types.js';
import { corpusMessages } from '../helpers/corpus.js';
import { appendMessages, readMailbox, startDovecot, withClient, type CheckedFolder, type DovecotServer } from '../helpers/dovecot.js';

type ImapSettings = Extract<ConnectionSettings, { platform: 'imap' }>;

const alice = { address: 'alice@source.test', password: 'alice-pw-1' };
const bob = { address: 'bob@source.test', password: 'bob-pw-2' };
const carol = { address: 'carol@dest.test', password: 'carol-pw-3' };
const dave = { address: 'dave@dest.test', password: 'dave-pw-4' };
const LABEL_DATE = new Date('2021-03-04T05:06:07Z');

let source: DovecotServer;
let dest: DovecotServer;
const connectors: Connector[] = [];

function connector(server: DovecotServer, mailboxes: { address: string; password: string }[], extra: Partial<ImapSettings> = {}): Connector {
  const created = createImapConnector({ platform: 'imap', host: server.host, port: server.port, tls: false, mailboxes, ...extra });
  connectors.push(created);
  return created;
}

async function mailboxOf(c: Connector, address: string): Promise<MailboxRef> {
  const page = await c.listMailboxes();
  const found = page.mailboxes.find((m) => m.address === address);
  if (!found) throw new Error(`${address} not listed`);
  return found;
}

const summary = (folder: CheckedFolder) =>
  folder.messages.map((m) => ({ sha256: m.sha256, flags: m.flags, internalDate: m.internalDate.toISOString(), messageId: m.messageId })).sort((a, b) => a.sha256.localeCompare(b.sha256));

beforeAll(async () => {
  [source, dest] = await Promise.all([
    startDovecot({ users: [alice, bob], masterUser: { user: 'migrator', password: 'master-pw-9' } }),
    startDovecot({ users: [carol, dave] }),
  ]);
  const corpus = corpusMessages(16);
  await appendMessages(source, alice, 'INBOX', corpus.slice(0, 8));
  await appendMessages(source, alice, 'INBOX', corpus.slice(8, 10), ['\\Seen', '\\Flagged']);
  await appendMessages(source, alice, 'Projects/Été 2024', corpus.slice(10, 13), ['\\Seen', '$Label1'], LABEL_DATE);
  await appendMessages(source, alice, '日本語', corpus.slice(13, 15), ['\\Answered']);
  await appendMessages(source, alice, 'Sent', corpus.slice(15, 16), ['\\Seen']);
  await appendMessages(source, alice, 'Sent Items', []);
});

afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await Promise.all([source?.stop(), dest?.stop()]);
});

describe('validate', () => {
  it('signs in to every account', async () => {
    const result = await connector(source, [alice, bob]).validate();
    expect(result).toEqual({ ok: true, summary: `Signed in to 2 of 2 accounts on 127.0.0.1:${source.port}.`, problems: [] });
  });

  it('names the account whose password the server refused, without the password', async () => {
    const wrong = { address: bob.address, password: 'not-bobs-password' };
    const result = await connector(source, [alice, wrong]).validate();
    expect(result.ok).toBe(false);
    expect(result.summary).toBe(`Signed in to 1 of 2 accounts on 127.0.0.1:${source.port}.`);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.address).toBe(bob.address);
    expect(result.problems[0]!.message).toMatch(/^bob@source\.test: the server refused the password \(AUTHENTICATIONFAILED\)/);
    const text = JSON.stringify(result);
    for (const secret of [wrong.password, alice.password]) expect(text).not.toContain(secret);
  });

  it('reports an unreachable server once, with host and port', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const port = (probe.address() as { port: number }).port;
        probe.close(() => resolve(port));
      });
    });
    const result = await createImapConnector({ platform: 'imap', host: '127.0.0.1', port: closedPort, tls: false, mailboxes: [alice, bob] }).validate();
    expect(result.ok).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.message).toContain(`127.0.0.1:${closedPort}`);
    expect(result.problems[0]!.message).toContain('ECONNREFUSED');
    expect(JSON.stringify(result)).not.toContain(alice.password);
  });

  it('signs in through a Dovecot master user, ignoring per-account passwords', async () => {
    const accounts = [{ address: alice.address, password: '' }, { address: 'BOB@source.test', password: '' }];
    const result = await connector(source, accounts, { masterUser: { user: 'migrator', password: 'master-pw-9' } }).validate();
    expect(result.ok).toBe(true);
    const page = await connector(source, accounts).listMailboxes();
    expect(page.mailboxes[1]).toEqual({ id: `imap:127.0.0.1:bob@source.test`, address: 'bob@source.test', displayName: 'bob', kind: 'user' });
  });
});

describe('folders and stats', () => {
  it('lists nested and non-ASCII folders with their roles, skipping \\Noselect parents', async () => {
    const c = connector(source, [alice]);
    const folders = await c.listFolders(await mailboxOf(c, alice.address));
    const byPath = new Map(folders.map((f) => [f.path.join(' > '), f]));
    expect([...byPath.keys()].sort()).toEqual(['Archive', 'Drafts', 'INBOX', 'Junk', 'Projects > Été 2024', 'Sent', 'Sent Items', 'Trash', '日本語']);
    expect(byPath.get('Projects > Été 2024')).toMatchObject({ key: 'Projects/Été 2024', role: null, itemType: 'mail' });
    expect(byPath.get('日本語')).toMatchObject({ key: '日本語', role: null });
    expect(Object.fromEntries(folders.filter((f) => f.role).map((f) => [f.key, f.role]))).toEqual({
      INBOX: 'inbox', Sent: 'sent', 'Sent Items': 'sent', Drafts: 'drafts', Trash: 'trash', Junk: 'junk', Archive: 'archive',
    });
  });

  it('counts what an independent client counts', async () => {
    const c = connector(source, [alice]);
    const mailbox = await mailboxOf(c, alice.address);
    const truth = await readMailbox(source, alice);
    const trueBytes = truth.flatMap((f) => f.messages).reduce((sum, m) => sum + m.size, 0);
    expect(await c.mailboxStats(mailbox)).toEqual({ folders: truth.length, mail: 16, bytes: trueBytes, events: 0, contacts: 0 });
    const listed = await c.listFolders(mailbox, { withStats: true });
    for (const folder of truth) {
      const info = listed.find((f) => f.key === folder.path);
      expect({ path: folder.path, count: info?.count, bytes: info?.bytes }).toEqual({ path: folder.path, count: folder.messages.length, bytes: folder.messages.reduce((s, m) => s + m.size, 0) });
    }
  });

  it('stores corpus messages byte for byte (CRLF form, no mbox "From " line)', async () => {
    const corpus = corpusMessages(16);
    expect(corpus.every((m) => !m.subarray(0, 5).equals(Buffer.from('From ')) && !/(^|[^\r])\n/.test(m.toString('latin1')))).toBe(true);
    const stored = (await readMailbox(source, alice)).flatMap((f) => f.messages.map((m) => m.sha256));
    expect(stored.sort()).toEqual(corpus.map((m) => createHash('sha256').update(m).digest('hex')).sort());
  });

  it('creates nested folders on the destination and maps role folders to its special-use folders', async () => {
    const c = connector(dest, [dave]);
    const mailbox = await mailboxOf(c, dave.address);
    expect(await c.ensureFolder(mailbox, ['Sent Items'], 'sent', 'mail')).toMatchObject({ key: 'Sent', role: 'sent' });
    expect(await c.ensureFolder(mailbox, ['Deleted Items'], 'trash', 'mail')).toMatchObject({ key: 'Trash', role: 'trash' });
    const nested = await c.ensureFolder(mailbox, ['Clients', 'ACME', 'Été'], null, 'mail');
    expect(nested).toMatchObject({ key: 'Clients/ACME/Été', path: ['Clients', 'ACME', 'Été'] });
    expect(await c.ensureFolder(mailbox, ['Clients', 'ACME', 'Été'], null, 'mail')).toMatchObject({ key: 'Clients/ACME/Été' });
    const paths = (await readMailbox(dest, dave)).map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['Clients', 'Clients/ACME', 'Clients/ACME/Été']));
    const subscribed = await withClient(dest, dave, async (client) => (await client.list()).filter((f) => f.subscribed).map((f) => f.path));
    expect(subscribed).toEqual(expect.arrayContaining(['Clients', 'Clients/ACME', 'Clients/ACME/Été']));
  });
});

describe('copying', () => {
  it('copies every folder to another Dovecot with identical bytes, flags, keywords and dates; probe finds what was written', async () => {
    const from = connector(source, [alice]);
    const to = connector(dest, [carol]);
    const fromBox = await mailboxOf(from, alice.address);
    const toBox = await mailboxOf(to, carol.address);
    const written: { item: Awaited<ReturnType<Connector['readItem']>>; folder: FolderInfo; key: string }[] = [];
    const destOf = new Map<string, string>();
    for (const folder of await from.listFolders(fromBox)) {
      const target = await to.ensureFolder(toBox, folder.path, folder.role, 'mail');
      destOf.set(folder.key, target.key);
      const page = await from.listChanges(fromBox, folder, undefined);
      expect(page.more).toBe(false);
      for (const change of page.changes) {
        const item = await from.readItem(fromBox, folder, change.key);
        expect(item.hash).toBe(createHash('sha256').update(item.content).digest('hex'));
        written.push({ item, folder: target, key: (await to.writeItem(toBox, target, item)).key });
      }
    }
    expect(written).toHaveLength(16);

    const sourceFolders = await readMailbox(source, alice);
    const destFolders = new Map((await readMailbox(dest, carol)).map((f) => [f.path, f]));
    for (const folder of sourceFolders.filter((f) => f.messages.length > 0)) {
      const copy = destFolders.get(destOf.get(folder.path)!)!;
      expect({ path: folder.path, messages: summary(copy) }).toEqual({ path: folder.path, messages: summary(folder) });
    }
    const labelled = destFolders.get('Projects/Été 2024')!.messages;
    expect(labelled.map((m) => [m.flags, m.internalDate.toISOString()])).toEqual(Array(3).fill([['$Label1', '\\Seen'], LABEL_DATE.toISOString()]));

    const sample = written[11]!;
    expect(sample.item.messageId).toBeTruthy();
    expect(await to.probeItem(toBox, sample.folder, sample.item)).toBe(sample.key);
    expect(await to.probeItem(toBox, sample.folder, { ...sample.item, messageId: undefined })).toBe(sample.key);
    const unwritten = corpusMessages(1, 100)[0]!;
    const unwrittenHash = createHash('sha256').update(unwritten).digest('hex');
    expect(await to.probeItem(toBox, sample.folder, { ...sample.item, hash: unwrittenHash, content: unwritten })).toBeNull();
    expect(await to.probeItem(toBox, sample.folder, { ...sample.item, hash: unwrittenHash, content: undefined })).toBeNull();
    expect(await to.probeItem(toBox, sample.folder, { type: 'mail', hash: unwrittenHash, date: new Date('2002-08-22T12:00:00Z'), messageId: '<never-written@example.com>' })).toBeNull();
  });

  it('probe recognises a copy whose line ends the server rewrote (Dovecot stores \\r\\r\\n as \\r\\n), given the content', async () => {
    const to = connector(dest, [dave]);
    const box = await mailboxOf(to, dave.address);
    const folder = await to.ensureFolder(box, ['Rewritten'], null, 'mail');
    const content = Buffer.from('From: x@source.test\r\nSubject: odd endings\r\nMessage-ID: <odd-endings@source.test>\r\n\r\nline one\r\r\nline two\r\n');
    const item = { key: '1:1', type: 'mail' as const, content, flags: [], date: new Date('2002-09-01T10:00:00Z'), messageId: '<odd-endings@source.test>', hash: createHash('sha256').update(content).digest('hex') };
    const { key } = await to.writeItem(box, folder, item);
    const stored = (await readMailbox(dest, dave)).find((f) => f.path === 'Rewritten')!.messages;
    expect(stored).toHaveLength(1);
    expect(stored[0]!.sha256).not.toBe(item.hash);
    // Without the content the stored bytes cannot match the hash; with it the probe finds its copy.
    expect(await to.probeItem(box, folder, { ...item, content: undefined })).toBeNull();
    expect(await to.probeItem(box, folder, item)).toBe(key);
    // A different body under the same Message-ID is still not taken for the copy.
    const other = Buffer.from(content.toString('latin1').replace('line two', 'line 2'), 'latin1');
    expect(await to.probeItem(box, folder, { ...item, content: other, hash: createHash('sha256').update(other).digest('hex') })).toBeNull();
  });

  it('reading a message that no longer exists is NOT_FOUND', async () => {
    const c = connector(source, [alice]);
    const mailbox = await mailboxOf(c, alice.address);
    const inbox = (await c.listFolders(mailbox)).find((f) => f.role === 'inbox')!;
    const [existing] = (await c.listChanges(mailbox, inbox, undefined)).changes;
    const uidValidity = existing!.key.split(':')[0];
    for (const key of ['1:1', `${uidValidity}:999999`]) {
      const error = await c.readItem(mailbox, inbox, key).catch((e: unknown) => e);
      expect(AppError.is(error, 'NOT_FOUND')).toBe(true);
    }
    expect((await c.readItem(mailbox, inbox, existing!.key)).key).toBe(existing!.key);
  });

  it('reads a page in one batch exactly as one by one, leaving out keys that are gone', async () => {
    const c = connector(source, [alice]);
    const mailbox = await mailboxOf(c, alice.address);
    const inbox = (await c.listFolders(mailbox)).find((f) => f.role === 'inbox')!;
    const keys = (await c.listChanges(mailbox, inbox, undefined)).changes.map((ch) => ch.key);
    const uidValidity = keys[0]!.split(':')[0];
    const batch = await c.readItems!(mailbox, inbox, [...keys, `${uidValidity}:999999`, '1:1']);
    expect(batch.map((i) => i.key).sort()).toEqual([...keys].sort());
    for (const item of batch) {
      const single = await c.readItem(mailbox, inbox, item.key);
      expect({ ...item, content: item.content.toString('base64') }).toEqual({ ...single, content: single.content.toString('base64') });
    }
  });
});

describe('connection pool', () => {
  it('serves many parallel calls on one mailbox with at most 4 pooled connections (plus the reader session that lists); the next connector of the account reuses them; they log out', async () => {
    const logins = async () => ((await readFile(join(source.dir, 'dovecot.log'), 'utf8')).match(/Login: user=<alice@source\.test>/g) ?? []).length;
    const logouts = async () => ((await readFile(join(source.dir, 'dovecot.log'), 'utf8')).match(/imap\(alice@source\.test\).*Logged out/g) ?? []).length;
    // Sessions parked by earlier tests (validate) would be reused: start from none.
    closeParked();
    const before = { in: await logins(), out: await logouts() };
    const settings = { platform: 'imap' as const, host: source.host, port: source.port, tls: false, mailboxes: [alice] };
    const readAll = async (c: Connector) => {
      const mailbox = await mailboxOf(c, alice.address);
      const inbox = (await c.listFolders(mailbox)).find((f) => f.role === 'inbox')!;
      const { changes } = await c.listChanges(mailbox, inbox, undefined);
      return Promise.all([...changes, ...changes].map((ch) => c.readItem(mailbox, inbox, ch.key)));
    };
    const first = createImapConnector(settings);
    expect(await readAll(first)).toHaveLength(20);
    // Four pooled connections for the 40 single reads, and the reader session the listing went through.
    expect((await logins()) - before.in).toBe(5);
    await first.close();
    // A mailbox job's connector closes when the job ends; the next job of the account signs in no more.
    const second = createImapConnector(settings);
    expect(await readAll(second)).toHaveLength(20);
    expect((await logins()) - before.in).toBe(5);
    await second.close();
    closeParked();
    await expect.poll(async () => (await logouts()) - before.out).toBeGreaterThanOrEqual(5);
  });
});

describe('a connection kept open between calls', () => {
  it('sees messages another session added since it last looked, in reads and in counts', async () => {
    const c = connector(source, [bob]);
    const mailbox = await mailboxOf(c, bob.address);
    await appendMessages(source, bob, 'Later', corpusMessages(1, 600));
    const later = (await c.listFolders(mailbox, { withStats: true })).find((f) => f.key === 'Later')!;
    const first = (await c.listChanges(mailbox, later, undefined)).changes.map((ch) => ch.key);
    expect(await c.readItems!(mailbox, later, first)).toHaveLength(1);
    // The pooled connection now has "Later" open; another client adds two messages.
    await appendMessages(source, bob, 'Later', corpusMessages(2, 601));
    expect((await c.listFolders(mailbox, { withStats: true })).find((f) => f.key === 'Later')!.count).toBe(3);
    // The count goes through the session that has "Later" open (it listed it): it must see the two new ones too.
    const truth = (await readMailbox(source, bob)).reduce((n, f) => n + f.messages.length, 0);
    expect((await c.mailboxStats(mailbox)).mail).toBe(truth);
    const keys = (await c.listChanges(mailbox, later, undefined)).changes.map((ch) => ch.key);
    expect(keys).toHaveLength(3);
    expect((await c.readItems!(mailbox, later, keys)).map((i) => i.key).sort()).toEqual([...keys].sort());
    expect((await c.readItem(mailbox, later, keys[2]!)).key).toBe(keys[2]);
  });
});

describe('listChanges', () => {
  const message = (n: number) => Buffer.from(`From: bob@source.test\r\nTo: bob@source.test\r\nSubject: note ${n}\r\nMessage-ID: <note-${n}@source.test>\r\n\r\nbody ${n}\r\n`);

  it('after a full pass returns only new messages and flag changes', async () => {
    await appendMessages(source, bob, 'Work', [1, 2, 3].map(message));
    const c = connector(source, [bob]);
    const mailbox = await mailboxOf(c, bob.address);
    const work = (await c.listFolders(mailbox)).find((f) => f.key === 'Work')!;
    const first = await c.listChanges(mailbox, work, undefined);
    expect(first.changes.map((ch) => [ch.kind, ch.key.split(':')[1], ch.size])).toEqual([1, 2, 3].map((n) => ['upsert', String(n), message(n).length]));
    expect(first.reset).toBeUndefined();

    const quiet = await c.listChanges(mailbox, work, first.cursor);
    expect(quiet.changes).toEqual([]);

    await appendMessages(source, bob, 'Work', [4, 5].map(message));
    await withClient(source, bob, async (client) => {
      await client.mailboxOpen('Work');
      await client.messageFlagsAdd({ header: { 'message-id': '<note-2@source.test>' } }, ['\\Flagged', '$Label2']);
    });
    const next = await c.listChanges(mailbox, work, quiet.cursor);
    expect(next.changes.map((ch) => ({ kind: ch.kind, key: ch.key, flags: ch.flags }))).toEqual([
      { kind: 'flags', key: first.changes[1]!.key, flags: ['$Label2', '\\Flagged'] },
      { kind: 'upsert', key: expect.stringMatching(/:4$/), flags: [] },
      { kind: 'upsert', key: expect.stringMatching(/:5$/), flags: [] },
    ]);
    expect((await c.listChanges(mailbox, work, next.cursor)).changes).toEqual([]);
  });

  it('imapflow (for servers the reader cannot serve) lists the same pages, cursors and flag changes as the reader', async () => {
    await appendMessages(source, bob, 'Twin', [20, 21, 22].map(message));
    const c = connector(source, [bob]);
    const mailbox = await mailboxOf(c, bob.address);
    const twin = (await c.listFolders(mailbox)).find((f) => f.key === 'Twin')!;
    const viaImapflow = (cursor: string | undefined, pageSize?: number) => withClient(source, bob, (client) => listChanges(client, 'Twin', cursor, pageSize));
    const both = async (cursor: string | undefined) => {
      const byImapflow = await viaImapflow(cursor);
      expect(byImapflow).toEqual(await c.listChanges(mailbox, twin, cursor));
      return byImapflow;
    };
    const first = await both(undefined);
    expect(first.changes.map((ch) => [ch.kind, ch.key.split(':')[1]])).toEqual([['upsert', '1'], ['upsert', '2'], ['upsert', '3']]);
    await appendMessages(source, bob, 'Twin', [23].map(message));
    await withClient(source, bob, async (client) => {
      await client.mailboxOpen('Twin');
      await client.messageFlagsAdd({ header: { 'message-id': '<note-21@source.test>' } }, ['\\Seen']);
    });
    const next = await both(first.cursor);
    expect(next.changes.map((ch) => [ch.kind, ch.key.split(':')[1], ch.flags])).toEqual([['flags', '2', ['\\Seen']], ['upsert', '4', []]]);
    // Paging through imapflow: 2 of the 4, then the rest.
    const paged = await viaImapflow(undefined, 2);
    expect([paged.changes.length, paged.more]).toEqual([2, true]);
    expect((await viaImapflow(paged.cursor, 2)).changes.map((ch) => ch.key.split(':')[1])).toEqual(['3', '4']);
  });

  it('pages a large folder 500 at a time', async () => {
    const many = Array.from({ length: 510 }, (_, i) => message(1000 + i));
    await appendMessages(source, bob, 'Bulk', many);
    const c = connector(source, [bob]);
    const mailbox = await mailboxOf(c, bob.address);
    const bulk = (await c.listFolders(mailbox)).find((f) => f.key === 'Bulk')!;
    const first = await c.listChanges(mailbox, bulk, undefined);
    expect([first.changes.length, first.more]).toEqual([500, true]);
    const second = await c.listChanges(mailbox, bulk, first.cursor);
    expect([second.changes.length, second.more]).toEqual([10, false]);
    expect(new Set([...first.changes, ...second.changes].map((ch) => ch.key)).size).toBe(510);
  });

  it('a UIDVALIDITY change yields reset and a full listing', async () => {
    await appendMessages(source, bob, 'Volatile', [10, 11].map(message));
    const c = connector(source, [bob]);
    const mailbox = await mailboxOf(c, bob.address);
    const folder = (await c.listFolders(mailbox)).find((f) => f.key === 'Volatile')!;
    const first = await c.listChanges(mailbox, folder, undefined);
    await withClient(source, bob, (client) => client.mailboxDelete('Volatile'));
    await appendMessages(source, bob, 'Volatile', [12].map(message));
    const after = await c.listChanges(mailbox, folder, first.cursor);
    expect(after.reset).toBe(true);
    expect(after.changes.map((ch) => [ch.kind, ch.key.split(':')[1]])).toEqual([['upsert', '1']]);
    expect((await c.readItem(mailbox, folder, after.changes[0]!.key)).messageId).toBe('<note-12@source.test>');
    expect(after.changes[0]!.key.split(':')[0]).not.toBe(first.changes[0]!.key.split(':')[0]);
  });
});
