import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/engine/db/client.js';
import { connections } from '../../src/engine/db/schema.js';
import { createEngine, type Actor, type Engine } from '../../src/engine/index.js';
import { prepareTarget, storeTargets, testEngineOptions } from '../helpers/store.js';

const admin: Actor = { orgId: 'slack:T1', orgName: 'Contoso', userId: 'U_ADMIN', userName: 'Ada', platformAdmin: true };
const bob: Actor = { orgId: 'slack:T1', userId: 'U_BOB', userName: 'Bob', platformAdmin: false };
const sandbox = (domain: string, extra: Record<string, number> = {}) => ({ platform: 'sandbox' as const, seed: 7, mailboxes: 5, messagesPerMailbox: 4, domain, ...extra });

describe.each(storeTargets())('engine projects, connections and roles on $name', (target) => {
  let engine: Engine;
  let cleanup: () => Promise<void>;
  let store: { databaseUrl?: string; dataDir: string };

  beforeAll(async () => {
    const prepared = await prepareTarget(target);
    cleanup = prepared.cleanup;
    store = prepared;
    engine = await createEngine(testEngineOptions({ databaseUrl: prepared.databaseUrl, dataDir: prepared.dataDir, admins: ['U_OPS'] }));
  });
  afterAll(async () => {
    await engine?.close();
    await cleanup?.();
  });

  it('creates a project, and refuses a duplicate name whatever its case', async () => {
    const project = await engine.createProject(admin, { name: 'Acme Move', sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey: 'slack:T1:C1' });
    expect(project).toMatchObject({ name: 'Acme Move', orgId: 'slack:T1', stage: 'needs_connections', connections: [] });
    expect(project.id).toMatch(/^prj_/);
    await expect(engine.createProject(admin, { name: 'acme move', sourcePlatform: 'sandbox', destinationPlatform: 'imap', channelKey: 'x' }))
      .rejects.toMatchObject({ code: 'CONFLICT', userMessage: expect.stringContaining('already exists') });
    await expect(engine.getProject(admin, 'ACME MOVE')).resolves.toMatchObject({ id: project.id });
  });

  it('rejects bad names and platforms that are not available yet', async () => {
    await expect(engine.createProject(admin, { name: 'bad/name', sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey: 'c' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(engine.createProject(admin, { name: 'x'.repeat(61), sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey: 'c' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const error = await engine.createProject(admin, { name: 'To Google', sourcePlatform: 'imap', destinationPlatform: 'google', channelKey: 'c' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNSUPPORTED', userMessage: expect.stringContaining('IMAP') });
    expect(engine.platforms().filter((p) => p.available).map((p) => p.id).sort()).toEqual(['imap', 'm365', 'sandbox']);
  });

  it('saves a valid sandbox connection encrypted, and saves nothing for one that fails validation', async () => {
    await engine.createProject(admin, { name: 'conn test', sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey: 'c' });
    const failing = await engine.saveConnection(admin, { project: 'conn test', side: 'source', settings: sandbox('broken.example', { failureRate: 1 }) }).catch((e: unknown) => e);
    expect(failing).toMatchObject({ code: 'AUTH_FAILED', details: { problems: expect.arrayContaining([expect.objectContaining({ address: 'user1@broken.example' })]) } });
    expect((await engine.getProject(admin, 'conn test')).connections).toEqual([]);

    const saved = await engine.saveConnection(admin, { project: 'conn test', side: 'source', settings: sandbox('src.example') });
    expect(saved).toMatchObject({ side: 'source', platform: 'sandbox', status: 'valid' });
    await engine.saveConnection(admin, { project: 'conn test', side: 'destination', settings: sandbox('dst.example') });
    const project = await engine.getProject(admin, 'conn test');
    expect(project.stage).toBe('ready_to_scan');
    expect(project.connections.map((c) => c.side)).toEqual(['source', 'destination']);

    // The stored secret is ciphertext: the settings appear nowhere in the row.
    if (target.name === 'postgres') {
      const peek = await openStore({ databaseUrl: store.databaseUrl });
      const rows = await peek.db.select().from(connections);
      await peek.close();
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.secret).not.toMatch(/example|seed|mailboxes/);
    }
  });

  it('parses connection forms and names the bad field', () => {
    const imap = engine.parseConnectionForm('imap', { host: 'mail.example.com', accounts: 'address,password\nada@example.com,pa,ss\nbob@example.com,x' });
    expect(imap).toEqual({ platform: 'imap', host: 'mail.example.com', port: 993, tls: true, mailboxes: [{ address: 'ada@example.com', password: 'pa,ss' }, { address: 'bob@example.com', password: 'x' }] });
    expect(() => engine.parseConnectionForm('imap', { host: 'mail.example.com', port: '99999', accounts: 'a@b.c,x' })).toThrow(expect.objectContaining({ code: 'BAD_INPUT', details: { field: 'port' } }));
    expect(() => engine.parseConnectionForm('imap', { host: 'mail.example.com', accounts: 'not-an-address,x' })).toThrow(expect.objectContaining({ details: { field: 'accounts' } }));
    expect(engine.connectionForm('imap').fields.find((f) => f.id === 'port')?.value).toBe('993');
  });

  it('authorizes by role, audits refusals, and lets admins grant and revoke', async () => {
    await expect(engine.rolesOf(bob)).resolves.toEqual([]);
    const refused = await engine.createProject(bob, { name: 'nope', sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey: 'c' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'FORBIDDEN', details: { allowedRoles: ['admin'], yourRoles: [] } });
    const audit = await engine.listAudit('slack:T1');
    expect(audit[0]).toMatchObject({ actor: 'U_BOB', outcome: 'denied', action: 'project.create' });

    await expect(engine.grantRole(bob, { userId: 'U_BOB', role: 'admin' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const granted = await engine.grantRole(admin, { userId: 'U_BOB', role: 'approver' });
    expect(granted).toEqual([{ userId: 'U_BOB', role: 'approver', grantedBy: 'U_ADMIN' }]);
    await expect(engine.rolesOf(bob)).resolves.toEqual(['approver']);
    await expect(engine.authorize(bob, ['approver'], 'hold.approve')).resolves.toBeUndefined();
    await expect(engine.authorize(bob, ['admin'], 'scan.start')).rejects.toMatchObject({ code: 'FORBIDDEN', details: { yourRoles: ['approver'] } });
    await expect(engine.listProjects(bob)).resolves.toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Acme Move' })]));
    await expect(engine.revokeRole(admin, { userId: 'U_BOB', role: 'approver' })).resolves.toEqual([]);
    await expect(engine.rolesOf(bob)).resolves.toEqual([]);
  });

  it('treats configured operators as admins in every org', async () => {
    await expect(engine.rolesOf({ orgId: 'teams:X', userId: 'U_OPS', userName: 'Ops', platformAdmin: false })).resolves.toEqual(['admin']);
    await expect(engine.rolesOf({ orgId: 'teams:X', userId: 'U_OTHER', userName: 'Other', platformAdmin: false })).resolves.toEqual([]);
  });

  it('stores conversation references and living cards', async () => {
    await engine.saveConversationRef({ channelKey: 'teams:19:abc', orgId: 'teams:T', platform: 'teams', reference: { serviceUrl: 'http://x' } });
    await engine.saveConversationRef({ channelKey: 'teams:19:abc', orgId: 'teams:T', platform: 'teams', reference: { serviceUrl: 'http://y' } });
    await expect(engine.getConversationRef('teams:19:abc')).resolves.toEqual({ orgId: 'teams:T', platform: 'teams', reference: { serviceUrl: 'http://y' } });
    await expect(engine.getConversationRef('nope')).resolves.toBeNull();
    await engine.saveCard({ channelKey: 'c', subject: 'run:1', messageRef: '1.1' });
    await engine.saveCard({ channelKey: 'c', subject: 'run:1', messageRef: '1.2' });
    await expect(engine.findCard('run:1', 'c')).resolves.toEqual({ channelKey: 'c', subject: 'run:1', messageRef: '1.2' });
    await expect(engine.ready()).resolves.toEqual({ database: true, redis: true });
  });
});
