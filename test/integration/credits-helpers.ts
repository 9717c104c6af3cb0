/** Shared setup of the credits tests: a fresh PostgreSQL database, sandbox projects, the ledger invariants. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect } from 'vitest';
import { createConnector } from '../../src/engine/connectors/index.js';
import type { ConnectionSettings, Connector } from '../../src/engine/connectors/types.js';
import { createEngine, type Actor, type Engine } from '../../src/engine/index.js';
import { scannedSandboxProject, waitForRun } from '../helpers/sandbox-project.js';
import { createDatabase, testEngineOptions } from '../helpers/store.js';

export const ORG = 'slack:TC';
export const admin: Actor = { orgId: ORG, userId: 'U1', userName: 'Ada Admin', platformAdmin: true };
export const approver: Actor = { orgId: ORG, userId: 'U2', userName: 'Megan Bowen', platformAdmin: false };
export const helpdesk: Actor = { orgId: ORG, userId: 'U3', userName: 'Hal Desk', platformAdmin: false };

export interface SandboxSide { platform: 'sandbox'; seed: number; mailboxes: number; messagesPerMailbox: number; domain: string }

export const src = (mailboxes: number, messagesPerMailbox = 8, domain = 'a.example'): SandboxSide => ({ platform: 'sandbox', seed: 41, mailboxes, messagesPerMailbox, domain });
export const dst = (mailboxes: number, domain = 'b.example'): SandboxSide => ({ platform: 'sandbox', seed: 42, mailboxes, messagesPerMailbox: 0, domain });

/** A settable clock for the engine (EngineOptions.now). */
export class Clock {
  private offsetMs = 0;
  now = () => new Date(Date.now() + this.offsetMs);
  advance(ms: number) { this.offsetMs += ms; }
}

export interface CreditsWorld {
  engine: Engine;
  databaseUrl: string;
  sql: pg.Pool;
  clock: Clock;
  close(): Promise<void>;
}

/** Opens connectors as usual, except that a destination in `noCreate` cannot create mailboxes (like IMAP). */
function connectorWith(noCreate: string[]) {
  return async (settings: ConnectionSettings): Promise<Connector> => {
    const connector = await createConnector(settings, {});
    if (!('domain' in settings) || !noCreate.includes(settings.domain)) return connector;
    const limited = Object.create(connector) as Connector;
    Object.defineProperty(limited, 'capabilities', { value: { ...connector.capabilities, createMailboxes: false } });
    return limited;
  };
}

/** `admins`: operator ids, as MAILFERRY_ADMINS sets them (EngineOptions.admins). */
export async function openWorld(props: { workers?: boolean; noCreate?: string[]; admins?: string[] } = {}): Promise<CreditsWorld> {
  const db = await createDatabase();
  const clock = new Clock();
  const engine = await createEngine(testEngineOptions({
    databaseUrl: db.databaseUrl, now: clock.now, reconcileEveryMs: 200, connect: connectorWith(props.noCreate ?? []), admins: props.admins ?? [],
  }));
  await engine.grantRole(admin, { userId: approver.userId, role: 'approver' });
  await engine.grantRole(admin, { userId: helpdesk.userId, role: 'helpdesk' });
  if (props.workers) await engine.startWorkers();
  const sql = new pg.Pool({ connectionString: db.databaseUrl, max: 2 });
  sql.on('error', () => undefined);
  return {
    engine, sql, clock, databaseUrl: db.databaseUrl,
    close: async () => {
      await engine.close();
      await sql.end();
      await db.drop();
    },
  };
}

export { waitForRun };

/** A project scanned for real (workers must run), every source matched to the same user at the destination domain. */
export async function scannedProject(engine: Engine, name: string, source: SandboxSide, destination: SandboxSide): Promise<void> {
  await scannedSandboxProject(engine, admin, { name, channelKey: `slack:TC:${name}`, source, destination });
}

/**
 * A project with one matched mailbox written straight into the store (no scan job): launches can
 * be tested by the dozen without workers.
 */
export async function seededProject(world: CreditsWorld, name: string, sourceId = `sandbox:a.example:${name}`): Promise<void> {
  const { engine, sql } = world;
  const project = await engine.createProject(admin, { name, sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey: `slack:TC:${name}` });
  await engine.saveConnection(admin, { project: name, side: 'source', settings: src(1) });
  await engine.saveConnection(admin, { project: name, side: 'destination', settings: dst(1) });
  const id = (p: string) => `${p}_${randomBytes(8).toString('hex')}`;
  const [s, d, scan] = [id('mbx'), id('mbx'), id('run')];
  await sql.query(`insert into runs (id, project_id, mode, status, started_by, finished_at) values ($1, $2, 'scan', 'completed', 'U1', now())`, [scan, project.id]);
  await sql.query(`insert into mailboxes (id, project_id, side, external_id, address, display_name, kind, mail, last_scan_run_id)
    values ($1, $2, 'source', $3, $4, 'S', 'user', 8, $6), ($5, $2, 'destination', $7, $8, 'D', 'user', 0, $6)`,
  [s, project.id, sourceId, `${name}@a.example`, d, scan, `sandbox:b.example:${name}`, `${name}@b.example`]);
  await sql.query(`insert into mappings (id, project_id, source_mailbox_id, destination_mailbox_id, destination_address, status, confidence, reason, changed_by)
    values ($1, $2, $3, $4, $5, 'matched', 1, 'same address', 'auto')`, [id('map'), project.id, s, d, `${name}@b.example`]);
}

/** DESIGN §5 invariants, straight from SQL: balance = Σ amount, held = Σ held_delta = Σ open holds, nothing negative. */
export async function expectLedgerInvariants(sql: pg.Pool): Promise<void> {
  const { rows } = await sql.query<{ org_id: string; balance: number; held: number; sum_amount: string; sum_held: string; open_holds: string }>(`
    select a.org_id, a.balance, a.held,
      (select coalesce(sum(amount), 0) from credit_ledger l where l.org_id = a.org_id) as sum_amount,
      (select coalesce(sum(held_delta), 0) from credit_ledger l where l.org_id = a.org_id) as sum_held,
      (select coalesce(sum(amount - consumed - released), 0) from credit_holds h where h.org_id = a.org_id and h.status in ('pending_approval', 'held')) as open_holds
    from credit_accounts a`);
  for (const r of rows) {
    expect(Number(r.sum_amount), `balance of ${r.org_id}`).toBe(r.balance);
    expect(Number(r.sum_held), `held of ${r.org_id}`).toBe(r.held);
    expect(Number(r.open_holds), `open holds of ${r.org_id}`).toBe(r.held);
    expect(r.balance).toBeGreaterThanOrEqual(0);
    expect(r.balance - r.held).toBeGreaterThanOrEqual(0);
  }
}
