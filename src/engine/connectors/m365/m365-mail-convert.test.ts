import { describe, expect, it } from 'vitest';
import { HASH_PROPERTY } from './m365-context.js';
import { categoriesOf, flagsOf, graphFlags, graphMessageFromMime } from './m365-mail-convert.js';

const mime = [
  'From: "Ada Lovelace" <ada@example.org>',
  'To: Bob <bob@example.org>, undisclosed-recipients:;',
  'Cc: cy@example.org',
  'Subject: =?utf-8?q?R=C3=A9union?=',
  'Date: Tue, 02 Jan 2024 03:04:05 +0000',
  'Message-ID: <abc@example.org>',
  'X-Mailer: test',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b"',
  '',
  '--b',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Hello</p>',
  '--b',
  'Content-Type: application/pdf; name="a.pdf"',
  'Content-Disposition: attachment; filename="a.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  'JVBERi0xLjQK',
  '--b--',
  '',
].join('\r\n');

describe('MIME → Graph message', () => {
  it('builds a received (non-draft) message: PR_MESSAGE_FLAGS without MSGFLAG_UNSENT, both dates, the source hash', async () => {
    const date = new Date('2024-01-03T00:00:00Z');
    const m = await graphMessageFromMime({ content: Buffer.from(mime), flags: ['\\Seen', '$Label1', '\\Answered'], date, hash: 'h1' });
    expect(m).toMatchObject({
      subject: 'Réunion', body: { contentType: 'html', content: expect.stringContaining('<p>Hello</p>') },
      from: { emailAddress: { address: 'ada@example.org', name: 'Ada Lovelace' } },
      toRecipients: [{ emailAddress: { address: 'bob@example.org', name: 'Bob' } }],
      ccRecipients: [{ emailAddress: { address: 'cy@example.org' } }],
      internetMessageId: '<abc@example.org>', isRead: true, flag: { flagStatus: 'notFlagged' }, categories: ['$Label1'],
      internetMessageHeaders: [{ name: 'X-Mailer', value: 'test' }],
      attachments: [{ name: 'a.pdf', contentType: 'application/pdf', contentBytes: 'JVBERi0xLjQK', isInline: false }],
    });
    const props = Object.fromEntries(m.singleValueExtendedProperties.map((p) => [p.id, p.value]));
    expect(Number(props['Integer 0x0E07']) & 8).toBe(0);
    expect(props).toMatchObject({ 'Integer 0x0E07': '1', 'SystemTime 0x0E06': date.toISOString(), 'SystemTime 0x0039': '2024-01-02T03:04:05.000Z', [HASH_PROPERTY]: 'h1' });
  });

  it('marks an unread message 0 (still not a draft)', async () => {
    const m = await graphMessageFromMime({ content: Buffer.from('Subject: x\r\nX-Priority: 1 (Highest)\r\n\r\nbody'), flags: ['\\Flagged'], date: new Date(0), hash: 'h' });
    expect(m.singleValueExtendedProperties.find((p) => p.id === 'Integer 0x0E07')?.value).toBe('0');
    expect(m).toMatchObject({ isRead: false, flag: { flagStatus: 'flagged' }, body: { contentType: 'text' }, importance: 'high' });
  });

  it('maps flags both ways: \\Seen ↔ isRead, \\Flagged ↔ flag, keywords ↔ categories', () => {
    expect(flagsOf({ isRead: true, flag: { flagStatus: 'flagged' }, categories: ['Red category', '$Label1'] })).toEqual(['\\Seen', '\\Flagged', 'Red_category', '$Label1']);
    expect(graphFlags(['\\Seen', 'Work'])).toEqual({ isRead: true, flag: { flagStatus: 'notFlagged' }, categories: ['Work'] });
    expect(categoriesOf(['\\Seen', '$Forwarded', '$MDNSent', 'Projet', 'Red_category'])).toEqual(['Projet', 'Red category']);
  });
});
