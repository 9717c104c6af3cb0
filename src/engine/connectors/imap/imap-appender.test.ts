/**
 * The pipelined appender against a scripted server: what it does when the server cannot pipeline,
 * refuses a batch, or drops the connection. (Real Dovecot: test/integration/imap-appender.test.ts.)
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ImapAppender, type WireError } from './imap-appender.js';

type Command = { tag: string; line: string; literals: Buffer[] };

/** A fake IMAP server: greets with `capabilities`, reads commands with LITERAL+ literals, answers with `reply`. */
async function fakeServer(capabilities: string, reply: (command: Command, socket: Socket) => string | null): Promise<{ server: Server; port: number; commands: Command[] }> {
  const commands: Command[] = [];
  const server = createServer((socket) => {
    socket.write(`* OK [CAPABILITY ${capabilities}] ready\r\n`);
    let buffer = Buffer.alloc(0);
    let current: Command | null = null;
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n');
        if (end < 0) return;
        const text = buffer.toString('latin1', 0, end);
        const literal = /\{(\d+)\+\}$/.exec(text);
        if (literal && buffer.length < end + 2 + Number(literal[1])) return;
        current ??= { tag: text.split(' ')[0]!, line: '', literals: [] };
        current.line += text;
        if (literal) {
          current.literals.push(buffer.subarray(end + 2, end + 2 + Number(literal[1])));
          buffer = buffer.subarray(end + 2 + Number(literal[1]));
          continue;
        }
        buffer = buffer.subarray(end + 2);
        const command: Command = current;
        current = null;
        commands.push(command);
        const answer = reply(command, socket);
        if (answer !== null) socket.write(`${command.tag} ${answer}\r\n`);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0, commands };
}

const login = { address: 'a@example.com', user: 'a@example.com', password: 'pw' };
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function signIn(command: Command): string | null {
  if (/ AUTHENTICATE PLAIN /.test(command.line)) return 'OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS MULTIAPPEND] signed in';
  if (/ LOGOUT$/.test(command.line)) return 'OK bye';
  return null;
}

describe('pipelined appender', () => {
  it('gives no appender when the server lacks LITERAL+ (the connector then keeps imapflow)', async () => {
    const fake = await fakeServer('IMAP4rev1 SASL-IR AUTH=PLAIN', (c) => (/ AUTHENTICATE /.test(c.line) ? 'OK [CAPABILITY IMAP4rev1 UIDPLUS] in' : 'OK'));
    servers.push(fake.server);
    expect(await ImapAppender.open({ host: '127.0.0.1', port: fake.port, tls: false }, login, 5000)).toBeNull();
  });

  it('reports a refused sign-in as an authentication failure', async () => {
    const fake = await fakeServer('IMAP4rev1 SASL-IR AUTH=PLAIN LITERAL+', () => 'NO [AUTHENTICATIONFAILED] Authentication failed.');
    servers.push(fake.server);
    const error = await ImapAppender.open({ host: '127.0.0.1', port: fake.port, tls: false }, login, 5000).catch((e: unknown) => e as WireError);
    expect(error).toMatchObject({ authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' });
  });

  it('sends messages written together as one MULTIAPPEND and gives each its own UID', async () => {
    let uid = 40;
    const fake = await fakeServer('IMAP4rev1 SASL-IR AUTH=PLAIN LITERAL+', (c) => signIn(c) ?? `OK [APPENDUID 9 ${uid + 1}:${(uid += c.literals.length)}] done`);
    servers.push(fake.server);
    const appender = (await ImapAppender.open({ host: '127.0.0.1', port: fake.port, tls: false }, login, 5000))!;
    const messages = ['one', 'two', 'three'].map((m) => Buffer.from(`Subject: ${m}\r\n\r\n${m}\r\n`));
    const results = await Promise.all(messages.map((m, i) => appender.append('Été', m, i === 1 ? ['\\Seen', '$Work'] : [], new Date('2002-01-01T08:00:00Z'))));
    expect(results).toEqual([41, 42, 43].map((u) => ({ uidValidity: '9', uid: u })));
    const appends = fake.commands.filter((c) => / APPEND /.test(c.line));
    expect(appends).toHaveLength(1);
    expect(appends[0]!.line).toContain('APPEND "&AMk-t&AOk-" () " 1-Jan-2002 08:00:00 +0000" {');
    expect(appends[0]!.line).toContain('(\\Seen $Work)');
    expect(appends[0]!.literals.map((l) => l.toString())).toEqual(messages.map((m) => m.toString()));
    appender.close();
  });

  it('sends a refused batch again one message at a time: only the message at fault fails', async () => {
    let uid = 0;
    const fake = await fakeServer('IMAP4rev1 SASL-IR AUTH=PLAIN LITERAL+', (c) => {
      const signedIn = signIn(c);
      if (signedIn) return signedIn;
      if (c.literals.some((l) => l.includes('poison'))) return 'NO [LIMIT] Message refused';
      return `OK [APPENDUID 9 ${uid + 1}:${(uid += c.literals.length)}] done`;
    });
    servers.push(fake.server);
    const appender = (await ImapAppender.open({ host: '127.0.0.1', port: fake.port, tls: false }, login, 5000))!;
    const outcomes = await Promise.allSettled(['fine 1', 'poison', 'fine 2'].map((m) => appender.append('INBOX', Buffer.from(m), [], new Date())));
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { uid: 1 } });
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { responseStatus: 'NO', serverResponseCode: 'LIMIT' } });
    expect(outcomes[2]).toMatchObject({ status: 'fulfilled', value: { uid: 2 } });
    expect(appender.usable).toBe(true);
    appender.close();
  });

  it('fails the writes in flight as a connection failure when the connection drops, and is not reused', async () => {
    const fake = await fakeServer('IMAP4rev1 SASL-IR AUTH=PLAIN LITERAL+', (c, socket) => {
      if (/ APPEND /.test(c.line)) {
        socket.destroy();
        return null;
      }
      return signIn(c);
    });
    servers.push(fake.server);
    const appender = (await ImapAppender.open({ host: '127.0.0.1', port: fake.port, tls: false }, login, 5000))!;
    const error = (await appender.append('INBOX', Buffer.from('x'), [], new Date())!.catch((e: unknown) => e)) as WireError;
    expect(['EConnectionClosed', 'ECONNRESET']).toContain(error.code);
    expect(appender.usable).toBe(false);
  });

  it('leaves a message whose flags are not atoms to imapflow', async () => {
    const fake = await fakeServer('IMAP4rev1 SASL-IR AUTH=PLAIN LITERAL+', (c) => signIn(c) ?? 'OK');
    servers.push(fake.server);
    const appender = (await ImapAppender.open({ host: '127.0.0.1', port: fake.port, tls: false }, login, 5000))!;
    expect(appender.append('INBOX', Buffer.from('x'), ['odd flag'], new Date())).toBeNull();
    appender.close();
  });
});
