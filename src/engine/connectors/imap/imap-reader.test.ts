/**
 * mailferry's own reader against a scripted server: responses split at every byte, items in any
 * order, a folder that is gone. (Real Dovecot: test/integration/imap-connector.test.ts and the runs.)
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ImapReader, parseFetch, parseImapDateTime } from './imap-reader.js';
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
