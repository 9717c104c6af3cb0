import { describe, expect, it } from 'vitest';
import { settingsFromUrl } from './connection-url.js';
import { parseMailboxCsv } from './mailbox-csv.js';

const pairs = parseMailboxCsv('source_address,source_password,destination_address,destination_password\nAda@Old.example,"a,""b""",ada@new.example,pw2\n');

describe('CLI connection URLs and the mailboxes CSV', () => {
  it('reads IMAP URLs with the TLS and port an admin expects, accounts from the CSV', () => {
    expect(settingsFromUrl('imap://127.0.0.1:1143?tls=off', 'source', pairs)).toEqual({
      platform: 'imap', host: '127.0.0.1', port: 1143, tls: false, mailboxes: [{ address: 'ada@old.example', password: 'a,"b"' }],
    });
    expect(settingsFromUrl('imaps://mail.new.example', 'destination', pairs)).toMatchObject({ host: 'mail.new.example', port: 993, tls: true, mailboxes: [{ address: 'ada@new.example', password: 'pw2' }] });
    expect(settingsFromUrl('imap://mail.example.com', 'source', pairs)).toMatchObject({ port: 143, tls: false });
  });

  it('reads sandbox URLs; a destination sandbox starts empty', () => {
    expect(settingsFromUrl('sandbox://?mailboxes=50&messages=20&seed=7&domain=x.example&failure=0.1', 'source', null))
      .toEqual({ platform: 'sandbox', domain: 'x.example', mailboxes: 50, messagesPerMailbox: 20, seed: 7, failureRate: 0.1 });
    expect(settingsFromUrl('sandbox://', 'destination', null)).toMatchObject({ domain: 'destination.example', mailboxes: 25, messagesPerMailbox: 0 });
  });

  it('says what is wrong in one sentence', () => {
    expect(() => settingsFromUrl('imap://127.0.0.1', 'source', null)).toThrow('An IMAP side needs --mailboxes <csv>');
    expect(() => settingsFromUrl('imap://u:secret@host', 'source', pairs)).toThrow('--source: put the accounts and passwords in the --mailboxes CSV, not in the URL.');
    expect(() => settingsFromUrl('sandbox://?mailboxes=0', 'source', null)).toThrow('--source: mailboxes must be a whole number from 1 to 5000.');
    expect(() => settingsFromUrl('not a url', 'destination', null)).toThrow('--destination: "not a url" is not a URL');
    expect(() => parseMailboxCsv('source_address,source_password,destination_address,destination_password\nada@old.example,,ada@new.example,x\n', 'm.csv'))
      .toThrow('m.csv, line 2: the source password of ada@old.example is empty.');
  });
});
