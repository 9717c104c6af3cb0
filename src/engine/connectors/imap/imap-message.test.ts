import { describe, expect, it } from 'vitest';
import { itemKey, lineEndsNormalised, messageIdOf, messageIdSearchTerm, parseItemKey, portableFlags } from './imap-message.js';

describe('IMAP message helpers', () => {
  it('normalises line ends the way servers rewrite them, and leaves CRLF-only bytes alone', () => {
    expect(lineEndsNormalised(Buffer.from('a\r\r\nb\nc\r\n')).toString()).toBe('a\r\nb\r\nc\r\n');
    const clean = Buffer.from('a\r\nb\r\n');
    expect(lineEndsNormalised(clean)).toBe(clean);
    expect(lineEndsNormalised(Buffer.from('a\rb\r\n')).toString()).toBe('a\rb\r\n');
  });


  it('reads a folded Message-ID from the header only', () => {
    const raw = Buffer.from('Subject: x\r\nMessage-ID:\r\n  <abc@example.com>\r\n\r\nMessage-ID: <body@example.com>\r\n');
    expect(messageIdOf(raw)).toBe('<abc@example.com>');
    expect(messageIdOf(Buffer.from('Subject: none\r\n\r\nMessage-ID: <body@x>\r\n'))).toBeUndefined();
  });

  it('keeps comments and inner spaces of real-world Message-IDs, and searches by their longest word', () => {
    const commented = Buffer.from('Message-Id: <3cfb@relay6.example> (added by\r\n    postmaster@relay6.example)\r\n\r\nbody');
    expect(messageIdOf(commented)).toBe('<3cfb@relay6.example> (added by postmaster@relay6.example)');
    expect(messageIdSearchTerm(messageIdOf(commented)!)).toBe('postmaster@relay6.example)');
    const spaced = Buffer.from('Message-ID: <000034e1158c$00001e19$000071e3@Life 300(113.2.2.1) Life1>\r\n\r\n');
    expect(messageIdSearchTerm(messageIdOf(spaced)!)).toBe('<000034e1158c$00001e19$000071e3@Life');
  });

  it('drops \\Recent and keeps keywords', () => {
    expect(portableFlags(['\\Seen', '\\Recent', '$Label1'])).toEqual(['$Label1', '\\Seen']);
  });

  it('keys items by uidvalidity and uid', () => {
    expect(parseItemKey(itemKey(1700000000n, 42))).toEqual({ uidValidity: '1700000000', uid: 42 });
    expect(() => parseItemKey('42')).toThrow(/not an IMAP item key/);
  });
});
