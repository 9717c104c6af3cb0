import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from './index.js';
import { tokenFor, wire, type WireResponse } from './test-client.js';

const TENANT = '11111111-1111-1111-1111-111111111111';
const MiB = 1024 * 1024;
let sim: GraphSimulator;

async function setup(opts: GraphSimulatorOptions = {}): Promise<{ token: string; user: string; messageId: string }> {
  sim = await startGraphSimulator(opts);
  sim.addTenant({ tenantId: TENANT, domain: 'contoso.example', apps: [{ clientId: 'app', clientSecret: 's' }] });
  const user = sim.addUser(TENANT, { address: 'alice@contoso.example', displayName: 'Alice' }).id;
  const token = await tokenFor(sim, TENANT, 'app', 's');
  // A received (non-draft) item, as the connector creates it.
  const created = await wire(sim, 'POST', `/v1.0/users/${user}/mailFolders/inbox/messages`, {
    token, body: { subject: 'big', body: { contentType: 'text', content: 'see attached' }, internetMessageId: '<big@x.example>', singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: '1' }] },
  });
  expect(created.status).toBe(201);
  return { token, user, messageId: created.json.id as string };
}

afterEach(() => sim?.close());

const session = (token: string, user: string, messageId: string, item: Record<string, unknown>) =>
  wire(sim, 'POST', `/v1.0/users/${user}/messages/${messageId}/attachments/createUploadSession`, { token, body: { AttachmentItem: { attachmentType: 'file', ...item } } });

function put(url: string, bytes: Buffer, start: number, end: number, o: { total?: number; headers?: Record<string, string> } = {}): Promise<WireResponse> {
  return wire(sim, 'PUT', url, {
    body: bytes.subarray(start, end),
    headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end - 1}/${o.total ?? bytes.length}`, ...o.headers },
  });
}

describe('attachment upload sessions', () => {
  it('takes a 7 MB file in ordered ranges without Authorization, answers 200 with the next range, then 201 with the Location, and the bytes land on the non-draft message', async () => {
    const { token, user, messageId } = await setup();
    const file = randomBytes(7 * MiB);
    const opened = await session(token, user, messageId, { name: 'video.bin', size: file.length, contentType: 'application/octet-stream' });
    expect(opened.status).toBe(201);
    expect(opened.json.nextExpectedRanges).toEqual(['0-']);
    expect(Date.parse(opened.json.expirationDateTime)).toBeGreaterThan(Date.now());
    const url: string = opened.json.uploadUrl;
    expect(url).not.toContain('/v1.0/');
    expect(url).toMatch(/AttachmentSessions\('[^']+'\)\?authtoken=/);
    const first = await put(url, file, 0, 4 * MiB);
    expect([first.status, first.json.nextExpectedRanges]).toEqual([200, [String(4 * MiB)]]);
    const last = await put(url, file, 4 * MiB, file.length);
    expect(last.status).toBe(201);
    expect(last.headers['location']).toMatch(new RegExp(`Messages\\('${messageId}'\\)/Attachments\\('[^']+'\\)$`));
    const value = await wire(sim, 'GET', `/v1.0/users/${user}/messages/${messageId}/$value`, { token });
    const parsed = await simpleParser(value.raw);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]!.filename).toBe('video.bin');
    expect(parsed.attachments[0]!.content.equals(file)).toBe(true);
    const truth = sim.mailbox(TENANT, user).messages.find((m) => m.id === messageId)!;
    expect(truth.isDraft).toBe(false);
    expect(truth.mime.equals(value.raw)).toBe(true);
    expect(sim.stats.draftsCreated).toBe(0);
    expect(sim.stats.bytesUploaded).toBeGreaterThanOrEqual(file.length);
  });

  it('keeps an inline image inline with its Content-ID', async () => {
    const { token, user, messageId } = await setup();
    const image = randomBytes(3.5 * MiB);
    const opened = await session(token, user, messageId, { name: 'logo.png', size: image.length, contentType: 'image/png', isInline: true, contentId: 'logo@x' });
    expect((await put(opened.json.uploadUrl, image, 0, image.length - 1_000_000)).status).toBe(200);
    expect((await put(opened.json.uploadUrl, image, image.length - 1_000_000, image.length)).status).toBe(201);
    const parsed = await simpleParser(sim.mailbox(TENANT, user).messages.find((m) => m.id === messageId)!.mime);
    expect(parsed.attachments[0]).toMatchObject({ contentType: 'image/png', contentDisposition: 'inline', cid: 'logo@x' });
    expect(parsed.attachments[0]!.content.equals(image)).toBe(true);
  });

  it('refuses sessions under 3 MB and over 150 MB, and ranges that are malformed, out of order, over 4 MB, or authorized', async () => {
    const { token, user, messageId } = await setup();
    const small = await session(token, user, messageId, { name: 'small.bin', size: 1_000_000 });
    expect([small.status, small.json.error.code]).toEqual([400, 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize']);
    expect((await session(token, user, messageId, { name: 'huge.bin', size: 151 * MiB })).status).toBe(413);
    expect((await session(token, user, messageId, { name: 'x.bin', size: 5 * MiB, attachmentType: 'item' })).status).toBe(400);
    const file = randomBytes(9 * MiB);
    const url: string = (await session(token, user, messageId, { name: 'f.bin', size: file.length })).json.uploadUrl;
    expect((await put(url, file, 0, 4 * MiB + 1)).status).toBe(413);
    expect((await put(url, file, 1024, 2048)).status).toBe(416);
    expect((await put(url, file, 0, 1024, { total: file.length + 1 })).status).toBe(400);
    expect((await put(url, file, 0, 1024, { headers: { 'content-range': 'bytes=0-1023' } })).status).toBe(400);
    expect((await put(url, file, 0, 1024, { headers: { 'content-range': 'bytes 0-2047/9437184' } })).status).toBe(400);
    expect((await put(url, file, 0, 1024, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await put(url.replace(/authtoken=[^&]+/, 'authtoken=forged'), file, 0, 1024)).status).toBe(401);
    // Nothing of that was taken: the session still expects byte 0, and a repeated range is refused.
    expect((await put(url, file, 0, 4 * MiB)).status).toBe(200);
    const again = await put(url, file, 0, 4 * MiB);
    expect([again.status, again.json.error.code]).toEqual([416, 'InvalidRange']);
    expect((await put(url, file, 4 * MiB, 8 * MiB)).status).toBe(200);
    expect((await put(url, file, 8 * MiB, file.length + 1)).status).toBe(400);
    expect((await put(url, file, 8 * MiB, file.length)).status).toBe(201);
    const parsed = await simpleParser(sim.mailbox(TENANT, user).messages.find((m) => m.id === messageId)!.mime);
    expect(parsed.attachments.map((a) => a.content.equals(file))).toEqual([true]);
  });

  it('cancels a session on DELETE: its URL is gone and nothing was attached', async () => {
    const { token, user, messageId } = await setup();
    const file = randomBytes(4 * MiB);
    const url: string = (await session(token, user, messageId, { name: 'f.bin', size: file.length })).json.uploadUrl;
    expect((await put(url, file, 0, MiB)).status).toBe(200);
    expect((await wire(sim, 'DELETE', url)).status).toBe(204);
    expect((await put(url, file, MiB, file.length)).status).toBe(404);
    const parsed = await simpleParser(sim.mailbox(TENANT, user).messages.find((m) => m.id === messageId)!.mime);
    expect(parsed.attachments).toHaveLength(0);
  });

  it('counts ranges against the mailbox upload window (429 IncomingBytes + Retry-After) and its in-flight limit', async () => {
    const { token, user, messageId } = await setup({ limits: { uploadBytesPerWindow: 6 * MiB, uploadWindowMs: 2_000 } });
    const file = randomBytes(10 * MiB);
    const url: string = (await session(token, user, messageId, { name: 'f.bin', size: file.length })).json.uploadUrl;
    expect((await put(url, file, 0, 4 * MiB)).status).toBe(200);
    const refused = await put(url, file, 4 * MiB, 8 * MiB);
    expect(refused.status).toBe(429);
    expect(refused.json.error.message).toContain('IncomingBytes');
    const wait = Number(refused.headers['retry-after']);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(2);
    expect(sim.stats.throttled.upload).toBe(1);
    await new Promise((r) => setTimeout(r, wait * 1000));
    expect((await put(url, file, 4 * MiB, 8 * MiB)).status).toBe(200);
    await sim.close();

    const slow = await setup({ latencyMs: 300 });
    const big = randomBytes(4 * MiB);
    const slowUrl: string = (await session(slow.token, slow.user, slow.messageId, { name: 'f.bin', size: big.length })).json.uploadUrl;
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => put(slowUrl, big, i * 1024, (i + 1) * 1024)));
    expect(results.filter((r) => r.status === 429)).toHaveLength(1);
    expect(sim.stats.throttled.concurrency).toBe(1);
  });
});
