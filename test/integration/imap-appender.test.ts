/**
 * Writes through the pipelined appender (LITERAL+, MULTIAPPEND) against a real Dovecot, checked by
 * the independent imapflow client of test/helpers/dovecot.ts.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { createImapConnector } from '../../src/engine/connectors/imap/imap-connector.js';
import { closeParked } from '../../src/engine/connectors/imap/imap-parking.js';
import type { Connector, FolderInfo, Item, MailboxRef } from '../../src/engine/connectors/types.js';
import { corpusMessages } from '../helpers/corpus.js';
import { readMailbox, startDovecot, type DovecotServer } from '../helpers/dovecot.js';

const erin = { address: 'erin@dest.test', password: 'erin-pw-5' };
const FLAG_SETS = [[], ['\\Seen'], ['$Label1', '\\Answered'], ['$Work', '\\Flagged', '\\Seen']];

let dest: DovecotServer;
let c: Connector;
let mailbox: MailboxRef;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function itemOf(content: Buffer, i: number): Item {
  return { key: `src:${i}`, type: 'mail', content, flags: FLAG_SETS[i % FLAG_SETS.length]!, date: new Date(Date.UTC(2002, 0, 1) + i * 3_600_000), hash: sha(content) };
}

beforeAll(async () => {
  dest = await startDovecot({ users: [erin] });
  c = createImapConnector({ platform: 'imap', host: dest.host, port: dest.port, tls: false, mailboxes: [erin] });
  mailbox = (await c.listMailboxes()).mailboxes[0]!;
});

afterAll(async () => {
  await c?.close();
  closeParked();
  await dest?.stop();
});

describe('pipelined writes to Dovecot', () => {
  it('writes many messages at once into two folders: each key names its own message, bytes, flags, keywords and dates identical', async () => {
    const inbox = await c.ensureFolder(mailbox, ['INBOX'], 'inbox', 'mail');
    const summer = await c.ensureFolder(mailbox, ['Projets', 'Été 2024'], null, 'mail');
    const items = corpusMessages(120, 200).map(itemOf);
    const targets: FolderInfo[] = items.map((_, i) => (i % 3 === 0 ? summer : inbox));
    const keys = (await Promise.all(items.map((item, i) => c.writeItem(mailbox, targets[i]!, item)))).map((w) => w.key);
    expect(new Set(keys.map((k, i) => `${targets[i]!.key}|${k}`)).size).toBe(items.length);

    // Every key reads back as the message it was returned for.
    const reads = await Promise.all(items.map((_, i) => c.readItem(mailbox, targets[i]!, keys[i]!)));
    reads.forEach((read, i) => {
      expect({ hash: read.hash, flags: read.flags, date: read.date.toISOString() }).toEqual({ hash: items[i]!.hash, flags: [...items[i]!.flags].sort(), date: items[i]!.date.toISOString() });
    });

    // The independent checker: each message exactly once, in the right folder.
    const folders = new Map((await readMailbox(dest, erin)).map((f) => [f.path, f.messages.map((m) => m.sha256).sort()]));
    expect(folders.get('INBOX')).toEqual(items.filter((_, i) => i % 3 !== 0).map((it) => it.hash).sort());
    expect(folders.get('Projets/Été 2024')).toEqual(items.filter((_, i) => i % 3 === 0).map((it) => it.hash).sort());
  });

  it('fails the writes to a folder that does not exist as NOT_FOUND, while those written with them land', async () => {
    const inbox = await c.ensureFolder(mailbox, ['INBOX'], 'inbox', 'mail');
    const missing: FolderInfo = { key: 'Nowhere/Gone', path: ['Nowhere', 'Gone'], role: null, itemType: 'mail' };
    const items = corpusMessages(6, 400).map(itemOf);
    const before = (await readMailbox(dest, erin)).find((f) => f.path === 'INBOX')!.messages.length;
    const outcomes = await Promise.allSettled(items.map((item, i) => c.writeItem(mailbox, i % 2 ? missing : inbox, item)));
    outcomes.forEach((outcome, i) => {
      if (i % 2) expect(outcome.status === 'rejected' && AppError.is(outcome.reason, 'NOT_FOUND')).toBe(true);
      else expect(outcome.status).toBe('fulfilled');
    });
    expect((await readMailbox(dest, erin)).find((f) => f.path === 'INBOX')!.messages.length).toBe(before + 3);
  });

  it('keeps writing after a message the server refuses: that one fails alone, its batch-mates land once', async () => {
    const sent = await c.ensureFolder(mailbox, ['Sent'], 'sent', 'mail');
    const good = corpusMessages(4, 500).map(itemOf);
    // Dovecot refuses an empty message; sent with the others, it makes their MULTIAPPEND fail as a whole.
    const empty: Item = { ...itemOf(Buffer.alloc(0), 99), key: 'src:empty' };
    const outcomes = await Promise.allSettled([good[0]!, good[1]!, empty, good[2]!, good[3]!].map((item) => c.writeItem(mailbox, sent, item)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const stored = (await readMailbox(dest, erin)).find((f) => f.path === 'Sent')!.messages.map((m) => m.sha256).sort();
    expect(stored).toEqual(good.map((g) => g.hash).sort());
  });
});
