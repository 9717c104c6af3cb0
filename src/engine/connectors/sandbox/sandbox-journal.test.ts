import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SandboxJournal } from './sandbox-journal.js';

const dir = mkdtempSync(join(tmpdir(), 'mf-sbx-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const item = (key: string, text: string) => ({ key, type: 'mail' as const, content: Buffer.from(text), flags: ['\\Seen'], date: new Date('2024-05-06T07:08:09Z'), messageId: `<${key}@x>`, hash: `h-${key}` });

describe('sandbox journal', () => {
  // Two journals on one file stand for two processes (a worker and the CLI): each keeps its own cache.
  it('shows one process the folders, items and flag changes another wrote, in order', () => {
    const file = join(dir, 'sandbox', 'tenant.jsonl');
    const worker = new SandboxJournal(file);
    const cli = new SandboxJournal(file);
    expect(cli.sync().written.size).toBe(0);

    worker.createFolder('mbx1', { key: 'Imported/Été', path: ['Imported', 'Été'], role: null, itemType: 'mail' });
    worker.appendItem('mbx1', 'Imported/Été', item('a', 'Subject: a\r\n\r\nü'));
    worker.appendItem('mbx1', 'Imported/Été', item('b', 'Subject: b\r\n\r\nb'));
    worker.setFlags('mbx1', 'Imported/Été', 'a', ['\\Seen', '$Label1']);

    const seen = cli.sync();
    expect([...(seen.folders.get('mbx1')?.keys() ?? [])]).toEqual(['Imported/Été']);
    const items = seen.written.get('mbx1|Imported/Été') ?? [];
    expect(items.map((i) => [i.key, i.content.toString(), i.flags, i.date.toISOString(), i.messageId])).toEqual([
      ['a', 'Subject: a\r\n\r\nü', ['\\Seen', '$Label1'], '2024-05-06T07:08:09.000Z', '<a@x>'],
      ['b', 'Subject: b\r\n\r\nb', ['\\Seen'], '2024-05-06T07:08:09.000Z', '<b@x>'],
    ]);
    // A third process starting later replays the whole file.
    expect(new SandboxJournal(file).sync().written.get('mbx1|Imported/Été')?.length).toBe(2);
    expect(readdirSync(join(dir, 'sandbox'))).toEqual(['tenant.jsonl']);
  });

  it('keeps an in-memory journal to itself', () => {
    const a = new SandboxJournal(null);
    a.appendItem('m', 'INBOX', item('c', 'x'));
    expect(a.sync().written.get('m|INBOX')).toHaveLength(1);
    expect(new SandboxJournal(null).sync().written.size).toBe(0);
  });
});
