import { describe, expect, it } from 'vitest';
import { itemKey, messageIdOf, parseItemKey, portableFlags } from './imap-message.js';

describe('IMAP message helpers', () => {
  it('reads a folded Message-ID from the header only', () => {
    const raw = Buffer.from('Subject: x\r\nMessage-ID:\r\n  <abc@example.com>\r\n\r\nMessage-ID: <body@example.com>\r\n');
    expect(messageIdOf(raw)).toBe('<abc@example.com>');
    expect(messageIdOf(Buffer.from('Subject: none\r\n\r\nMessage-ID: <body@x>\r\n'))).toBeUndefined();
  });

  it('drops \\Recent and keeps keywords', () => {
    expect(portableFlags(['\\Seen', '\\Recent', '$Label1'])).toEqual(['$Label1', '\\Seen']);
  });

  it('keys items by uidvalidity and uid', () => {
    expect(parseItemKey(itemKey(1700000000n, 42))).toEqual({ uidValidity: '1700000000', uid: 42 });
    expect(() => parseItemKey('42')).toThrow(/not an IMAP item key/);
  });
});
