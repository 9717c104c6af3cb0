import { describe, expect, it } from 'vitest';
import { appendUids, encodeMailboxName, flagList, imapDateTime, parseStatusLine, quoted } from './imap-wire.js';

describe('IMAP wire syntax of the pipelined appender', () => {
  it('encodes folder names in modified UTF-7 as RFC 3501 spells them', () => {
    expect(encodeMailboxName('INBOX')).toBe('INBOX');
    expect(encodeMailboxName('Projets/Été 2024')).toBe('Projets/&AMk-t&AOk- 2024');
    expect(encodeMailboxName('日本語')).toBe('&ZeVnLIqe-');
    expect(encodeMailboxName('R&D')).toBe('R&-D');
    expect(encodeMailboxName('~peter/mail/台北/日本語')).toBe('~peter/mail/&U,BTFw-/&ZeVnLIqe-');
  });

  it('quotes only what a quoted string can carry', () => {
    expect(quoted('Sent "old" \\ x')).toBe('"Sent \\"old\\" \\\\ x"');
    expect(quoted('a\r\nb')).toBeNull();
    expect(quoted('é')).toBeNull();
  });

  it('writes the internal date in UTC with a space-padded day, as the server stores it', () => {
    expect(imapDateTime(new Date('2002-01-01T08:00:00Z'))).toBe('" 1-Jan-2002 08:00:00 +0000"');
    expect(imapDateTime(new Date('2024-12-31T23:59:59.900Z'))).toBe('"31-Dec-2024 23:59:59 +0000"');
  });

  it('accepts system flags and keyword atoms, refuses what is not an atom', () => {
    expect(flagList(['$Label1', '\\Seen'])).toBe('($Label1 \\Seen)');
    expect(flagList([])).toBe('()');
    for (const bad of ['two words', 'a]b', 'paren(', 'quote"', 'étoile', '\\']) expect(flagList([bad])).toBeNull();
  });

  it('reads tagged status lines with their response codes', () => {
    expect(parseStatusLine('W3 OK [APPENDUID 1700000000 41:42] Append completed.')).toEqual({ tag: 'W3', status: 'OK', code: 'APPENDUID', codeArgs: '1700000000 41:42', text: 'Append completed.' });
    expect(parseStatusLine('W4 NO [TRYCREATE] Mailbox does not exist')).toMatchObject({ status: 'NO', code: 'TRYCREATE', text: 'Mailbox does not exist' });
    expect(parseStatusLine('* BYE shutting down')).toMatchObject({ tag: '*', status: 'BYE' });
    expect(parseStatusLine('* 3 EXISTS')).toBeNull();
  });

  it('expands APPENDUID sets in message order and refuses what is not one', () => {
    expect(appendUids('7 5')).toEqual({ uidValidity: '7', uids: [5] });
    expect(appendUids('7 1:3,9,12:11')).toEqual({ uidValidity: '7', uids: [1, 2, 3, 9, 11, 12] });
    expect(appendUids(undefined)).toBeNull();
    expect(appendUids('7 *')).toBeNull();
    expect(appendUids('7 1:4000000000')).toBeNull();
  });
});
