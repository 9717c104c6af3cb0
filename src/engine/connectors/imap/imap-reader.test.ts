/**
 * mailferry's own reader against a scripted server: responses split at every byte, items in any
 * order, a folder that is gone. (Real Dovecot: test/integration/imap-connector.test.ts and the runs.)
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ImapReader, parseFetch, parseImapDateTime, parseSearch } from './imap-reader.js';
import type { WireError } from './imap-pipelined.js';

const login = { address: 'a@example.com', user: 'a@example.com', password: 'pw' };
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Writes `data` one byte per write, so every boundary of the stream parser is crossed. */
async function trickle(socket: Socket, data: Buffer): Promise<void> {
  for (const byte of data) {
    socket.write(Buffer.of(byte));
    await new Promise((r) => setImmediate(r));
  }
}

/** A server that signs anyone in and answers EXAMINE and UID FETCH with `fetch(folder, tag)`'s bytes. */
async function fakeServer(fetch: (folder: string, tag: string) => Buffer | string, options: { trickle?: boolean } = {}): Promise<{ port: number; commands: string[] }> {
  const commands: string[] = [];
  const server = createServer((socket) => {
    let folder = '';
    let buffer = '';
    let chain = Promise.resolve();
    const send = (data: Buffer | string) => {
      chain = chain.then(() => (options.trickle ? trickle(socket, Buffer.from(data)) : void socket.write(data)));
    };
    socket.write('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        commands.push(line);
        const [tag = '', verb] = line.split(' ');
        if (verb === 'AUTHENTICATE') send(`${tag} OK [CAPABILITY IMAP4rev1] signed in\r\n`);
        else if (verb === 'LOGOUT') send(`* BYE\r\n${tag} OK bye\r\n`);
        else if (verb === 'EXAMINE') {
          folder = line.slice(line.indexOf('"') + 1, -1);
          if (folder === 'Gone') send(`${tag} NO [NONEXISTENT] Mailbox doesn't exist: Gone\r\n`);
          else send(`* 3 EXISTS\r\n* OK [UIDVALIDITY 7] UIDs valid\r\n${tag} OK [READ-ONLY] Examined\r\n`);
        } else if (verb === 'UID') send(folder === 'Gone' ? `${tag} BAD No mailbox selected\r\n` : fetch(folder, tag));
        else send(`${tag} OK\r\n`);
      }
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, commands };
}

const one = Buffer.from('Subject: one\r\nMessage-ID: <1@x>\r\n\r\nbody with ) and {5}\r\n');
const two = Buffer.from('Subject: two\r\n\r\n\u00e9t\u00e9\r\n', 'utf8');

function fetchAnswer(tag: string): Buffer {
  return Buffer.concat([
    Buffer.from(`* 1 FETCH (UID 11 FLAGS (\\Seen $Work) INTERNALDATE " 7-Jul-2002 08:30:00 -0700" BODY[] {${one.length}}\r\n`), one, Buffer.from(')\r\n'),
    // Another order, and items the reader does not ask for.
    Buffer.from(`* 2 FETCH (MODSEQ (42) BODY[] {${two.length}}\r\n`), two, Buffer.from(` INTERNALDATE "17-Jul-2002 23:59:59 +0200" UID 12 FLAGS ())\r\n`),
    Buffer.from(`* 3 FETCH (FLAGS (\\Deleted))\r\n${tag} OK Fetch completed.\r\n`),
  ]);
}

describe('IMAP date-times', () => {
  it('reads day, month, time and zone, with a space-padded day', () => {
    expect(parseImapDateTime(' 7-Jul-2002 08:30:00 -0700')?.toISOString()).toBe('2002-07-07T15:30:00.000Z');
    expect(parseImapDateTime('17-jul-2002 23:59:59 +0200')?.toISOString()).toBe('2002-07-17T21:59:59.000Z');
    expect(parseImapDateTime('17-Foo-2002 23:59:59 +0200')).toBeNull();
  });
});

describe('FETCH responses', () => {
  it('takes a body given as a quoted string and keeps a body that contains parentheses', () => {
    expect(parseFetch({ lines: ['* 5 FETCH (UID 9 BODY[] "hi \\"x\\"")'], literals: [] })).toMatchObject({ uid: 9, source: Buffer.from('hi "x"') });
    expect(parseFetch({ lines: ['* 5 FETCH (UID 9 FLAGS (\\Seen))'], literals: [] })).toBeNull();
  });
});

describe('pipelined reader', () => {
  for (const slow of [false, true]) {
    it(`reads each message's bytes, flags and date whatever the item order${slow ? ', the stream arriving a byte at a time' : ''}`, async () => {
      const fake = await fakeServer((_folder, tag) => fetchAnswer(tag), { trickle: slow });
      const reader = (await ImapReader.open({ host: '127.0.0.1', port: fake.port, tls: false }, login, 5000))!;
      const { uidValidity, messages } = await reader.fetch('Projets/Été', '11:13')!;
      expect(uidValidity).toBe('7');
      expect(messages).toHaveLength(2);
      expect(messages[0]).toEqual({ uid: 11, flags: ['\\Seen', '$Work'], internalDate: new Date('2002-07-07T15:30:00Z'), source: one });
      expect(messages[1]).toEqual({ uid: 12, flags: [], internalDate: new Date('2002-07-17T21:59:59Z'), source: two });
      // The folder name goes out in modified UTF-7, and EXAMINE and FETCH leave in one write.
      expect(fake.commands.filter((c) => / (EXAMINE|UID FETCH) /.test(c)).map((c) => c.replace(/^\S+ /, ''))).toEqual([
        'EXAMINE "Projets/&AMk-t&AOk-"', 'UID FETCH 11:13 (UID FLAGS INTERNALDATE BODY.PEEK[])',
      ]);
      reader.close();
    });
  }

  it('runs fetches one after another, each with its own folder, and reports a folder that is gone', async () => {
    const fake = await fakeServer((folder, tag) => (folder === 'B' ? `${tag} OK nothing\r\n` : fetchAnswer(tag)));
    const reader = (await ImapReader.open({ host: '127.0.0.1', port: fake.port, tls: false }, login, 5000))!;
    const [a, b, gone] = await Promise.allSettled([reader.fetch('A', '11:12')!, reader.fetch('B', '1')!, reader.fetch('Gone', '1')!]);
    expect(a).toMatchObject({ status: 'fulfilled', value: { messages: [{ uid: 11 }, { uid: 12 }] } });
    expect(b).toMatchObject({ status: 'fulfilled', value: { uidValidity: '7', messages: [] } });
    expect(gone).toMatchObject({ status: 'rejected', reason: { responseStatus: 'NO', mailboxMissing: true } });
    // Still usable after a folder-level refusal.
    expect((await reader.fetch('A', '11')!).messages).toHaveLength(2);
    reader.close();
  });

  it('fails a fetch in flight as a connection failure when the server drops the connection', async () => {
    const server = createServer((socket) => {
      socket.write('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n');
      socket.on('data', (chunk: Buffer) => {
        const line = chunk.toString('latin1');
        if (line.includes('AUTHENTICATE')) socket.write(`${line.split(' ')[0]} OK [CAPABILITY IMAP4rev1] signed in\r\n`);
        else if (line.includes('EXAMINE')) socket.end('* 1 FETCH (UID 1 BODY[] {100}\r\npartial');
      });
      socket.on('error', () => undefined);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const reader = (await ImapReader.open({ host: '127.0.0.1', port, tls: false }, login, 5000))!;
    const error = (await reader.fetch('INBOX', '1')!.catch((e: unknown) => e)) as WireError;
    expect(['EConnectionClosed', 'ECONNRESET']).toContain(error.code);
    expect(reader.usable).toBe(false);
  });
});

describe('SEARCH responses', () => {
  it('reads plain SEARCH and ESEARCH (sequence sets), empty ones too, and nothing else', () => {
    expect(parseSearch('* SEARCH 4 5 9')).toEqual([4, 5, 9]);
    expect(parseSearch('* SEARCH')).toEqual([]);
    expect(parseSearch('* ESEARCH (TAG "W7") UID ALL 3:5,9,12:11')).toEqual([3, 4, 5, 9, 11, 12]);
    expect(parseSearch('* ESEARCH (TAG "W7") UID')).toEqual([]);
    expect(parseSearch('* 3 EXISTS')).toBeNull();
  });
});

/**
 * A CONDSTORE + ESEARCH server holding UIDs 1–5 of UIDVALIDITY 9 (3 and 4 with flags changed since
 * modseq 100) in "Box", and "Plain", which keeps no mod-sequences.
 */
async function listingServer(): Promise<{ port: number; writes: string[] }> {
  const writes: string[] = [];
  const server = createServer((socket) => {
    let folder = '';
    socket.write('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n');
    socket.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      writes.push(text);
      for (const line of text.split('\r\n').filter(Boolean)) {
        const tag = line.split(' ')[0]!;
        const command = line.slice(tag.length + 1);
        let out = '';
        if (command.startsWith('AUTHENTICATE')) out = `${tag} OK [CAPABILITY IMAP4rev1 CONDSTORE ESEARCH] signed in\r\n`;
        else if (command.startsWith('EXAMINE')) {
          folder = command.includes('Plain') ? 'Plain' : 'Box';
          out = `* 5 EXISTS\r\n* OK [UIDVALIDITY 9] ok\r\n* OK [UIDNEXT 6] ok\r\n${folder === 'Plain' ? '* OK [NOMODSEQ] none' : '* OK [HIGHESTMODSEQ 120] ok'}\r\n${tag} OK [READ-ONLY] done\r\n`;
        } else if (command.includes('CHANGEDSINCE')) {
          out = folder === 'Plain' ? `${tag} NO [NOMODSEQ] no mod-sequences here\r\n`
            : `* 3 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (110))\r\n* 4 FETCH (UID 4 FLAGS () MODSEQ (115))\r\n${tag} OK done\r\n`;
        } else if (command.startsWith('UID SEARCH')) {
          const from = Number(/UID (\d+):\*/.exec(command)?.[1]);
          out = `* ESEARCH (TAG "${tag}") UID${from <= 5 ? ` ALL ${from}:5` : ''}\r\n${tag} OK done\r\n`;
        } else if (command.startsWith('UID FETCH')) {
          const set = command.split(' ')[2]!;
          const [a, b = a] = set.split(':').map(Number) as [number, number?];
          for (let uid = a; uid <= b; uid++) out += `* ${uid} FETCH (UID ${uid} RFC822.SIZE ${uid * 100} FLAGS (${uid === 1 ? '\\Seen $Work' : ''}))\r\n`;
          // An unsolicited flag change of another session: no UID, not part of the page.
          out += `* 2 FETCH (FLAGS (\\Deleted))\r\n${tag} OK done\r\n`;
        } else out = `${tag} OK\r\n`;
        socket.write(out);
      }
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, writes };
}

describe('pipelined listing', () => {
  it('asks EXAMINE, the flag changes and the UID search in one write, then fetches flags and sizes of one page', async () => {
    const fake = await listingServer();
    const reader = (await ImapReader.open({ host: '127.0.0.1', port: fake.port, tls: false }, login, 5000))!;
    const listed = await reader.listing('Box', 3, 2, { before: 3, modseq: '100' })!;
    expect(listed.view).toEqual({ uidValidity: '9', uidNext: 6, exists: 5, highestModseq: 120n });
    expect(listed.uids).toEqual([3, 4, 5]);
    expect(listed.page).toEqual([{ uid: 3, flags: [], size: 300 }, { uid: 4, flags: [], size: 400 }]);
    expect(listed.changed).toEqual([{ uid: 3, flags: ['\\Seen'] }, { uid: 4, flags: [] }]);
    const asked = fake.writes.filter((w) => /EXAMINE|UID /.test(w)).map((w) => w.split('\r\n').filter(Boolean).map((l) => l.replace(/^\S+ /, '')));
    expect(asked).toEqual([
      ['EXAMINE "Box" (CONDSTORE)', 'UID FETCH 1:2 (UID FLAGS) (CHANGEDSINCE 100)', 'UID SEARCH RETURN (ALL) UID 3:*'],
      ['UID FETCH 3:4 (UID FLAGS RFC822.SIZE)'],
    ]);
    reader.close();
  });

  it('lists a folder without mod-sequences (the CHANGEDSINCE refusal is no failure) and a folder with nothing new', async () => {
    const fake = await listingServer();
    const reader = (await ImapReader.open({ host: '127.0.0.1', port: fake.port, tls: false }, login, 5000))!;
    const plain = await reader.listing('Plain', 1, 500, { before: 2, modseq: '100' })!;
    expect(plain.changed).toBeNull();
    expect(plain.view.highestModseq).toBeNull();
    expect(plain.page.map((m) => m.uid)).toEqual([1, 2, 3, 4, 5]);
    expect(plain.page[0]).toEqual({ uid: 1, flags: ['\\Seen', '$Work'], size: 100 });
    const none = await reader.listing('Box', 6, 500)!;
    expect(none.uids).toEqual([]);
    expect(none.page).toEqual([]);
    // Nothing new: no page fetch went out.
    expect(fake.writes.filter((w) => w.includes('RFC822.SIZE'))).toHaveLength(1);
    reader.close();
  });
});
