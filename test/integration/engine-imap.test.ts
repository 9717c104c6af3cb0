import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/engine/db/client.js';
import { auditEvents, connections } from '../../src/engine/db/schema.js';
import { createEngine, type Actor, type Engine, type RunDetail } from '../../src/engine/index.js';
import { appendMessages, readMailbox, startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { createDatabase, testEngineOptions } from '../helpers/store.js';

const admin: Actor = { orgId: 'slack:T7', userId: 'U1', userName: 'Ada', platformAdmin: true };
const SECRET = 'Tr0ub4dor&3-unique';
const message = (n: number) => Buffer.from(`From: a@example.com\r\nTo: b@example.com\r\nSubject: m${n}\r\nMessage-ID: <m${n}@example.com>\r\n\r\nbody ${n}\r\n`);

describe('engine on real IMAP servers (PostgreSQL store)', () => {
  let source: DovecotServer;
  let destination: DovecotServer;
  let engine: Engine;
  let db: { databaseUrl: string; drop: () => Promise<void> };

  beforeAll(async () => {
    [source, destination, db] = await Promise.all([
      startDovecot({ users: [{ address: 'ann@old.example', password: SECRET }, { address: 'ben@old.example', password: SECRET }] }),
      startDovecot({ users: [{ address: 'ann@new.example', password: SECRET }] }),
      createDatabase(),
    ]);
    await appendMessages(source, source.users[0]!, 'INBOX', [message(1), message(2), message(3)]);
    await appendMessages(source, source.users[0]!, 'Projects/Été', [message(4)]);
    await appendMessages(source, source.users[1]!, 'INBOX', [message(5)]);
    engine = await createEngine(testEngineOptions({ databaseUrl: db.databaseUrl }));
    await engine.startWorkers();
    await engine.createProject(admin, { name: 'imap move', sourcePlatform: 'imap', destinationPlatform: 'imap', channelKey: 'slack:T7:C1' });
  });
  afterAll(async () => {
    await engine?.close();
    await Promise.all([source?.stop(), destination?.stop(), db?.drop()]);
  });

  const imap = (server: DovecotServer, password: string) => ({ platform: 'imap' as const, host: server.host, port: server.port, tls: false,
    mailboxes: server.users.map((u) => ({ address: u.address, password })) });

  it('saves nothing for a wrong password, and stores the right one only encrypted', async () => {
    const wrong = await engine.saveConnection(admin, { project: 'imap move', side: 'source', settings: imap(source, 'wrong') }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'AUTH_FAILED', details: { problems: expect.arrayContaining([expect.objectContaining({ address: 'ann@old.example' })]) } });
    expect((await engine.getProject(admin, 'imap move')).connections).toEqual([]);

    await engine.saveConnection(admin, { project: 'imap move', side: 'source', settings: imap(source, SECRET) });
    await engine.saveConnection(admin, { project: 'imap move', side: 'destination', settings: imap(destination, SECRET) });
    const peek = await openStore({ databaseUrl: db.databaseUrl });
    try {
      const rows = await peek.db.select().from(connections);
      const audit = await peek.db.select().from(auditEvents);
      expect(rows).toHaveLength(2);
      expect(JSON.stringify(rows)).not.toContain(SECRET);
      expect(JSON.stringify(audit)).not.toContain(SECRET);
      expect(rows[0]?.summary).toMatch(/^imap:\/\/127\.0\.0\.1:\d+, \d accounts?$/);
    } finally {
      await peek.close();
    }
  });

  it('scans both servers and counts what Dovecot holds', async () => {
    const run = await engine.startScan(admin, { project: 'imap move' });
    let detail: RunDetail = await engine.getRun(run.id);
    const deadline = Date.now() + 30_000;
    while (!['completed', 'failed'].includes(detail.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      detail = await engine.getRun(run.id);
    }
    expect(detail.status).toBe('completed');
    const truth = async (server: DovecotServer) => {
      let mail = 0;
      let folders = 0;
      for (const user of server.users) for (const folder of await readMailbox(server, user)) { folders++; mail += folder.messages.length; }
      return { mail, folders };
    };
    expect(detail.summary?.source).toMatchObject({ mailboxes: 2, ...(await truth(source)) });
    expect(detail.summary?.destination).toMatchObject({ mailboxes: 1, ...(await truth(destination)) });
    expect(detail.summary?.failed).toBe(0);
    const review = await engine.getMatchReview(admin, { project: 'imap move', filter: 'all' });
    expect(review.counts).toMatchObject({ matched: 1, needs_review: 1 });
    expect(review.rows.find((r) => r.source.address === 'ben@old.example')).toMatchObject({ reason: 'no destination mailbox', destinationAddress: 'ben@new.example' });
  });
});
