/**
 * Attachments over Graph's 3 MB single-request limit, IMAP (Dovecot) → Microsoft 365 (Graph simulator)
 * through the engine: a 7 MB attachment and a 3.5 MB inline image arrive with identical bytes on
 * received (non-draft) items that the probe finds again; 120 MB of large attachments into one mailbox
 * stay inside its upload window; 429s from a window the pacer does not know are waited out; an
 * upload that fails for good leaves no partial message behind; and one cut short by a killed process
 * leaves nothing the retry's probe takes for the copy.
 */
import { createHash, randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { createConnector } from '../../src/engine/connectors/index.js';
import { createTokenProvider } from '../../src/engine/connectors/m365/m365-auth.js';
import { GraphClient, type GraphRequest } from '../../src/engine/connectors/m365/m365-http.js';
import { writeMail } from '../../src/engine/connectors/m365/m365-mail.js';
import { MailboxPacer } from '../../src/engine/connectors/m365/m365-pacer.js';
import type { ConnectorEnv, FolderInfo, Item, MailboxRef } from '../../src/engine/connectors/types.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { appendMessages, startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { testEngineOptions } from '../helpers/store.js';
import { startGraphSimulator, type GraphSimulator } from '../simulators/graph/index.js';
import { admin, launch, scanAndMap, waitForRun } from './m365-run-setup.js';

const PASSWORD = 'pw-large';
const T = { tenantId: 'c0c0c0c0-0000-4000-8000-0000000000a7', domain: 'contoso.example' };
const app = { clientId: 'mailferry-large', clientSecret: 'large-secret' };
const m365 = { platform: 'm365' as const, tenantId: T.tenantId, clientId: app.clientId, clientSecret: app.clientSecret };
const MiB = 1024 * 1024;
/** The mailbox upload window, scaled down from 150 MB per 5 minutes; the engine's pacer is told the same. */
const WINDOW = { uploadBytesPerWindow: 30 * MiB, uploadWindowMs: 3_000 };
const BULK = Array.from({ length: 8 }, () => randomBytes(15 * MiB));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const b64 = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n');

const video = randomBytes(7 * MiB);
const logo = randomBytes(3.5 * MiB);

function mixed(id: string, name: string, data: Buffer): Buffer {
  return Buffer.from([
    'From: Sender <sender@example.org>', 'To: ann@old.example', `Subject: ${name}`, `Message-ID: <${id}@example.org>`, 'Date: Mon, 02 Mar 2020 10:00:00 +0000', 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain; charset=utf-8', '', 'see attached', '--b1',
    `Content-Type: application/octet-stream; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64', '',
    b64(data), '--b1--', '',
  ].join('\r\n'));
}

function related(id: string, data: Buffer): Buffer {
  return Buffer.from([
    'From: Sender <sender@example.org>', 'To: ann@old.example', 'Subject: logo', `Message-ID: <${id}@example.org>`, 'Date: Tue, 03 Mar 2020 10:00:00 +0000', 'MIME-Version: 1.0',
    'Content-Type: multipart/related; boundary="r1"', '', '--r1', 'Content-Type: text/html; charset=utf-8', '', '<p>Our logo: <img src="cid:logo@example.org"></p>', '--r1',
    'Content-Type: image/png; name="logo.png"', 'Content-Disposition: inline; filename="logo.png"', 'Content-ID: <logo@example.org>', 'Content-Transfer-Encoding: base64', '',
    b64(data), '--r1--', '',
  ].join('\r\n'));
}

let dovecot: DovecotServer;
let sim: GraphSimulator;
let engine: Engine;
let env: ConnectorEnv;

async function attachmentsOf(address: string) {
  const messages = sim.mailbox(T.tenantId, address).messages;
  return Promise.all(messages.map(async (m) => ({ truth: m, parsed: await simpleParser(m.mime, { keepCidLinks: true }) })));
}

async function mailboxRef(address: string): Promise<MailboxRef> {
  const c = await createConnector(m365, env);
  try {
    return (await c.listMailboxes()).mailboxes.find((m) => m.address === address)!;
  } finally {
    await c.close();
  }
}

/**
 * A process SIGKILLed as it starts its second upload range: nothing it would still send leaves it
 * (that range, the cleanup, anything), and its write never settles.
 */
class DyingPacer extends MailboxPacer {
  readonly died: Promise<void>;
  private die = () => {};
  private ranges = 0;
  private dead = false;

  constructor() {
    super({ concurrency: 4, requestsPerWindow: 10_000, windowMs: 600_000, ...WINDOW });
    this.died = new Promise((resolve) => { this.die = resolve; });
  }

  override acquire(key: string, options: Parameters<MailboxPacer['acquire']>[1] = {}): Promise<() => void> {
    // Upload ranges are the only requests over 1 MiB here (the create carries no large attachment).
    if (!this.dead && (options.uploadBytes ?? 0) > MiB && ++this.ranges === 2) {
      this.dead = true;
      this.die();
    }
    return this.dead ? new Promise(() => {}) : super.acquire(key, options);
  }
}

/** Starts writing the item and kills the "process" mid-upload; says whether its write ever settled. */
async function killedMidUpload(mailbox: MailboxRef, folder: FolderInfo, item: Item): Promise<() => boolean> {
  const pacer = new DyingPacer();
  const tokens = createTokenProvider(m365, sim.authorityHost, sim.caCertPem);
  const client = new GraphClient(sim.baseUrl, (refresh) => tokens.token(refresh), pacer, sim.caCertPem);
  const ctx = { client, settings: m365, listed: new Map(), folderCounts: new Map(), readTurns: new Map(), readDone: new Map(), children: new Map() };
  let settled = false;
  void writeMail(ctx, mailbox, folder, item).then(() => { settled = true; }, () => { settled = true; });
  await pacer.died;
  client.close();
  return () => settled;
}

const withId = (address: string, messageId: string) => sim.mailbox(T.tenantId, address).messages.filter((m) => m.internetMessageId === messageId);

beforeAll(async () => {
  const users = ['ann@old.example', 'bulk@old.example'].map((address) => ({ address, password: PASSWORD }));
  [dovecot, sim] = await Promise.all([startDovecot({ users }), startGraphSimulator({ limits: WINDOW })]);
  sim.addTenant({ ...T, displayName: 'Contoso', apps: [app] });
  for (const name of ['ann', 'bulk', 'cy', 'dee', 'eve', 'fay']) sim.addUser(T.tenantId, { address: `${name}@contoso.example`, displayName: name });
  await appendMessages(dovecot, users[0]!, 'INBOX', [mixed('video', 'video.bin', video), related('logo', logo)], ['\\Seen'], new Date('2020-03-04T05:06:07Z'));
  await appendMessages(dovecot, users[1]!, 'INBOX', BULK.map((data, i) => mixed(`bulk-${i}`, `part-${i}.bin`, data)), [], new Date('2021-01-01T00:00:00Z'));
  env = { graphBaseUrl: sim.baseUrl, authorityHost: sim.authorityHost, caCertPem: sim.caCertPem };
  engine = await createEngine(testEngineOptions({
    connectorEnv: { ...env, graphLimits: { uploadBytesPerWindow: WINDOW.uploadBytesPerWindow, windowMs: WINDOW.uploadWindowMs * 2 } },
  }));
  await engine.startWorkers();
  const imap = (addresses: string[]) => ({ platform: 'imap' as const, host: dovecot.host, port: dovecot.port, tls: false, mailboxes: addresses.map((address) => ({ address, password: PASSWORD })) });
  for (const [project, address, channel] of [['big', 'ann@old.example', 'C1'], ['bulk', 'bulk@old.example', 'C2']] as const) {
    await engine.createProject(admin, { name: project, sourcePlatform: 'imap', destinationPlatform: 'm365', channelKey: `slack:T365:${channel}` });
    await engine.saveConnection(admin, { project, side: 'source', settings: imap([address]) });
    await engine.saveConnection(admin, { project, side: 'destination', settings: m365 });
    await scanAndMap(engine, project, (source) => source.replace('old.example', 'contoso.example'));
  }
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await Promise.all([dovecot?.stop(), sim?.close()]);
});

describe('IMAP → Microsoft 365 with large attachments', () => {
  it('copies a 7 MB attachment and a 3.5 MB inline image byte for byte onto received items the probe finds again', async () => {
    const run = await launch(engine, 'big', 'full');
    const done = await waitForRun(engine, run.id, 90_000);
    expect(done.status, done.error ?? '').toBe('completed');
    expect(done.progress).toMatchObject({ itemsDone: 2, itemsFailed: 0 });
    const got = await attachmentsOf('ann@contoso.example');
    expect(got).toHaveLength(2);
    expect(got.every(({ truth }) => !truth.isDraft && truth.isRead && truth.path.join('/') === 'Inbox')).toBe(true);
    expect(sim.stats.draftsCreated).toBe(0);
    const withVideo = got.find(({ truth }) => truth.internetMessageId === '<video@example.org>')!;
    expect(withVideo.parsed.attachments.map((a) => [a.filename, sha(a.content)])).toEqual([['video.bin', sha(video)]]);
    const withLogo = got.find(({ truth }) => truth.internetMessageId === '<logo@example.org>')!;
    expect(withLogo.parsed.attachments).toHaveLength(1);
    expect(withLogo.parsed.attachments[0]).toMatchObject({ filename: 'logo.png', contentType: 'image/png', contentDisposition: 'inline', cid: 'logo@example.org' });
    expect(sha(withLogo.parsed.attachments[0]!.content)).toBe(sha(logo));
    // The body refers to the image by Content-ID; the image is not inlined into it a second time.
    expect(String(withLogo.parsed.html)).toContain('<img src="cid:logo@example.org">');
    expect(String(withLogo.parsed.html)).not.toContain('data:');
    // Through upload sessions in ranges under 4 MB: two for the 7 MB file, one for the 3.5 MB image.
    expect(sim.stats.byRoute['PUT /api/v2.0/{attachmentSession}']).toBe(3);

    // Both are found again by the source hash and by Message-ID (a crash between write and record).
    const c = await createConnector(m365, env);
    const ann = await mailboxRef('ann@contoso.example');
    const inbox = (await c.listFolders(ann)).find((f) => f.role === 'inbox')!;
    const source = mixed('video', 'video.bin', video);
    expect(await c.probeItem(ann, inbox, { type: 'mail', hash: sha(source), date: new Date() })).toBe(withVideo.truth.id);
    expect(await c.probeItem(ann, inbox, { type: 'mail', hash: 'unknown', messageId: '<logo@example.org>', date: new Date() })).toBe(withLogo.truth.id);
    await c.close();
  }, 100_000);

  it('copies 120 MB of large attachments into one mailbox inside its upload window, failing none', async () => {
    const throttledBefore = sim.stats.throttled.upload;
    const started = Date.now();
    const run = await launch(engine, 'bulk', 'full');
    const done = await waitForRun(engine, run.id, 150_000);
    expect(done.status, done.error ?? '').toBe('completed');
    expect(done.progress).toMatchObject({ itemsDone: BULK.length, itemsFailed: 0 });
    // 120 MB through a 30 MB window: at least three windows passed, and the pacer never overran one.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * WINDOW.uploadWindowMs);
    expect(sim.stats.throttled.upload - throttledBefore).toBe(0);
    const got = await attachmentsOf('bulk@contoso.example');
    expect(got.every(({ truth }) => !truth.isDraft)).toBe(true);
    expect(got.flatMap(({ parsed }) => parsed.attachments.map((a) => `${a.filename}|${sha(a.content)}`)).sort())
      .toEqual(BULK.map((data, i) => `part-${i}.bin|${sha(data)}`).sort());
  }, 160_000);

  it('waits out 429s of an upload window the pacer does not know and still lands every byte', async () => {
    const throttledBefore = sim.stats.throttled.upload;
    // Default limits: the pacer believes in 150 MB per 5 minutes, the simulator allows 30 MB per 3 s.
    const c = await createConnector(m365, env);
    const cy = await mailboxRef('cy@contoso.example');
    const inbox = await c.ensureFolder(cy, ['INBOX'], 'inbox', 'mail');
    const data = randomBytes(45 * MiB);
    const content = mixed('cy-big', 'big.bin', data);
    const written = await c.writeItem(cy, inbox, { key: '1', type: 'mail', content, flags: [], date: new Date(), hash: sha(content) });
    await c.close();
    expect(sim.stats.throttled.upload - throttledBefore).toBeGreaterThan(0);
    const truth = sim.mailbox(T.tenantId, 'cy@contoso.example').messages.find((m) => m.id === written.key)!;
    expect(truth.isDraft).toBe(false);
    expect(sha((await simpleParser(truth.mime)).attachments[0]!.content)).toBe(sha(data));
  }, 60_000);

  it('removes the half-built message when an upload fails for good and says so', async () => {
    // The upload URL's token is refused (as once the session expired): nothing Graph lets mailferry retry in place.
    class ExpiringSessions extends GraphClient {
      override async json<T>(req: GraphRequest): Promise<T> {
        const out = await super.json<T>(req);
        const session = out as { uploadUrl?: string };
        if (req.url.endsWith('/createUploadSession') && session.uploadUrl) session.uploadUrl = session.uploadUrl.replace(/authtoken=[^&]+/, 'authtoken=expired');
        return out;
      }
    }
    const tokens = createTokenProvider(m365, sim.authorityHost, sim.caCertPem);
    const client = new ExpiringSessions(sim.baseUrl, (refresh) => tokens.token(refresh), new MailboxPacer({ concurrency: 4, requestsPerWindow: 10_000, windowMs: 600_000, ...WINDOW }), sim.caCertPem);
    const ctx = { client, settings: m365, listed: new Map(), folderCounts: new Map(), readTurns: new Map(), readDone: new Map(), children: new Map() };
    const dee = await mailboxRef('dee@contoso.example');
    const c = await createConnector(m365, env);
    const inbox = await c.ensureFolder(dee, ['INBOX'], 'inbox', 'mail');
    await c.close();
    const content = mixed('dee-big', 'report.pdf', randomBytes(5 * MiB));
    const item: Item = { key: '1', type: 'mail', content, flags: [], date: new Date(), hash: sha(content) };
    const failure = await writeMail(ctx, dee, inbox, item).then(() => null, (e: unknown) => e);
    client.close();
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ retryable: true, userMessage: expect.stringMatching(/"report\.pdf".*the partly written message was removed/) });
    expect(sim.mailbox(T.tenantId, 'dee@contoso.example').messages.filter((m) => m.internetMessageId === '<dee-big@example.org>')).toEqual([]);
    expect(sim.stats.byRoute['DELETE /users/{u}/messages/{id}']).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('never takes a message a killed process left half-uploaded for the copy: the probe removes it and the rewrite lands it whole, once', async () => {
    const c = await createConnector(m365, env);
    const eve = await mailboxRef('eve@contoso.example');
    const inbox = await c.ensureFolder(eve, ['INBOX'], 'inbox', 'mail');
    const data = randomBytes(7 * MiB);
    const content = mixed('eve-crash', 'film.bin', data);
    const date = new Date('2020-05-06T07:08:09Z');
    const item: Item = { key: '1', type: 'mail', content, flags: ['\\Seen'], date, hash: sha(content), messageId: '<eve-crash@example.org>' };
    const settled = await killedMidUpload(eve, inbox, item);
    // What the killed process left: the message, with its Message-ID, without its attachment.
    const left = withId('eve@contoso.example', '<eve-crash@example.org>');
    expect(left).toHaveLength(1);
    expect((await simpleParser(left[0]!.mime)).attachments).toEqual([]);

    // The retry probes first (intent recorded, no outcome): not the copy, and gone.
    expect(await c.probeItem(eve, inbox, item)).toBeNull();
    expect(withId('eve@contoso.example', '<eve-crash@example.org>')).toEqual([]);

    const written = await c.writeItem(eve, inbox, item);
    const landed = withId('eve@contoso.example', '<eve-crash@example.org>');
    expect(landed.map((m) => m.id)).toEqual([written.key]);
    // Stamped complete by a PATCH that left it a received item with its own date.
    expect(landed[0]).toMatchObject({ isDraft: false, isRead: true, receivedDateTime: date.toISOString() });
    expect((await simpleParser(landed[0]!.mime)).attachments.map((a) => [a.filename, sha(a.content)])).toEqual([['film.bin', sha(data)]]);
    expect(await c.probeItem(eve, inbox, item)).toBe(written.key);
    // The killed write never got to run any cleanup of its own.
    expect(settled()).toBe(false);
    await c.close();
  }, 60_000);

  it('finds the leftover of a message without Message-ID by its incomplete stamp, and keeps a copy that arrived another way', async () => {
    const c = await createConnector(m365, env);
    const fay = await mailboxRef('fay@contoso.example');
    const inbox = await c.ensureFolder(fay, ['INBOX'], 'inbox', 'mail');
    const subjects = () => sim.mailbox(T.tenantId, 'fay@contoso.example').messages.map((m) => m.subject).sort();
    // No Message-ID: Exchange makes one up, so only the stamp can find what the killed write left.
    const bare = Buffer.from(mixed('unused', 'scan.bin', randomBytes(7 * MiB)).toString('latin1').replace(/Message-ID: [^\r]+\r\n/, ''), 'latin1');
    const item: Item = { key: '1', type: 'mail', content: bare, flags: [], date: new Date('2020-07-08T09:10:11Z'), hash: sha(bare) };
    await killedMidUpload(fay, inbox, item);
    expect(subjects()).toEqual(['scan.bin']);
    expect(await c.probeItem(fay, inbox, { type: 'mail', hash: item.hash, date: item.date })).toBeNull();
    expect(subjects()).toEqual([]);

    // The same Message-ID delivered another way (no stamp): still found and kept; only the leftover goes.
    const delivered = sim.addMessage(T.tenantId, 'fay@contoso.example', ['Inbox'], { mime: mixed('fay-dup', 'small.bin', randomBytes(1024)) });
    const content = mixed('fay-dup', 'big.bin', randomBytes(7 * MiB));
    const dup: Item = { key: '2', type: 'mail', content, flags: [], date: new Date(), hash: sha(content), messageId: '<fay-dup@example.org>' };
    await killedMidUpload(fay, inbox, dup);
    expect(withId('fay@contoso.example', '<fay-dup@example.org>')).toHaveLength(2);
    expect(await c.probeItem(fay, inbox, dup)).toBe(delivered.id);
    expect(withId('fay@contoso.example', '<fay-dup@example.org>').map((m) => m.id)).toEqual([delivered.id]);
    await c.close();
  }, 60_000);
});
