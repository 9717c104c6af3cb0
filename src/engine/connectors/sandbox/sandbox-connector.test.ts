import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors.js';
import { createSandboxConnector, type SandboxSettings } from './sandbox-connector.js';
import { sandboxStats } from './sandbox-tenant.js';

const settings: SandboxSettings = { platform: 'sandbox', seed: 11, mailboxes: 14, messagesPerMailbox: 9, domain: 'sbx.example' };

describe('sandbox connector', () => {
  it('lists the same tenant page by page for the same seed, with shared and room mailboxes', async () => {
    const a = createSandboxConnector(settings);
    const first = await a.listMailboxes();
    expect(first.mailboxes).toHaveLength(10);
    const second = await a.listMailboxes(first.nextPage);
    expect(second.nextPage).toBeUndefined();
    const all = [...first.mailboxes, ...second.mailboxes];
    expect(all.map((m) => m.address)).toEqual(Array.from({ length: 14 }, (_, i) => `user${i + 1}@sbx.example`));
    expect(all.filter((m) => m.kind !== 'user').map((m) => m.kind).sort()).toEqual(['room', 'shared']);
    const again = await createSandboxConnector({ ...settings, domain: 'other.example' }).listMailboxes();
    expect(again.mailboxes.map((m) => m.displayName)).toEqual(first.mailboxes.map((m) => m.displayName));
  });

  it('has nested non-ASCII folders and items that add up to the stats', async () => {
    const c = createSandboxConnector(settings);
    const [mbx] = (await c.listMailboxes()).mailboxes;
    if (!mbx) throw new Error('no mailbox');
    const folders = await c.listFolders(mbx, { withStats: true });
    expect(folders.map((f) => f.path)).toContainEqual(['Projects', 'Été 2024', 'Заметки']);
    const stats = await c.mailboxStats(mbx);
    expect(stats).toEqual(sandboxStats(settings, 1));
    expect(stats.mail).toBe(9);
    const inbox = folders.find((f) => f.role === 'inbox');
    if (!inbox) throw new Error('no inbox');
    const page = await c.listChanges(mbx, inbox, undefined);
    const item = await c.readItem(mbx, inbox, page.changes[0]?.key ?? '');
    const text = item.content.toString('utf8');
    expect(text).toMatch(/^From: .*\r\nTo: .*<user1@sbx\.example>\r\n/);
    expect(text).toContain(`Message-ID: ${item.messageId}`);
    const calendar = folders.find((f) => f.itemType === 'event');
    const events = await c.listChanges(mbx, calendar ?? inbox, undefined);
    expect((await c.readItem(mbx, calendar ?? inbox, events.changes[0]?.key ?? '')).content.toString()).toContain('BEGIN:VEVENT');
  });

  it('shares writes between connectors with the same settings', async () => {
    const writer = createSandboxConnector({ ...settings, seed: 12 });
    const [mbx] = (await writer.listMailboxes()).mailboxes;
    if (!mbx) throw new Error('no mailbox');
    const folder = await writer.ensureFolder(mbx, ['Imported', 'Ünïcode'], null, 'mail');
    const before = await writer.mailboxStats(mbx);
    const content = Buffer.from('Subject: hi\r\n\r\nbody');
    const written = await writer.writeItem(mbx, folder, { key: 'x', type: 'mail', content, flags: [], date: new Date(), messageId: '<m1@x>', hash: 'h1' });
    const reader = createSandboxConnector({ ...settings, seed: 12 });
    await expect(reader.probeItem(mbx, folder, { messageId: '<m1@x>', hash: 'h1', date: new Date(), type: 'mail' })).resolves.toBe(written.key);
    expect((await reader.mailboxStats(mbx)).mail).toBe(before.mail + 1);
  });

  it('throttles with a retry delay and fails chosen mailboxes when asked', async () => {
    const throttled = createSandboxConnector({ ...settings, throttleRate: 1 });
    const error = await throttled.listMailboxes().catch((e: unknown) => e);
    expect(AppError.is(error, 'THROTTLED') && error.retryAfterMs).toBeGreaterThan(0);
    const failing = createSandboxConnector({ ...settings, failureRate: 1 });
    expect((await failing.validate()).ok).toBe(false);
    const [mbx] = (await createSandboxConnector(settings).listMailboxes()).mailboxes;
    await expect(failing.mailboxStats(mbx as never)).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
  });
});
