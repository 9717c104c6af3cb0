/**
 * A copy run's verification, now made mailbox by mailbox by the copy job that completed each one
 * (the finalizer checks only the others): what the verification card shows must not change. Sandbox
 * tenants on both sides; a connector wrapper loses a connection, refuses a sign-in, or fails the
 * check a copy job makes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { createConnector } from '../../src/engine/connectors/index.js';
import { createSandboxConnector } from '../../src/engine/connectors/sandbox/sandbox-connector.js';
import { sandboxMailboxes } from '../../src/engine/connectors/sandbox/sandbox-tenant.js';
import type { ConnectionSettings, Connector } from '../../src/engine/connectors/types.js';
import { createEngine, type Actor, type Engine, type VerificationInfo } from '../../src/engine/index.js';
import { scannedSandboxProject, waitForRun } from '../helpers/sandbox-project.js';
import { testEngineOptions } from '../helpers/store.js';

const admin: Actor = { orgId: 'slack:T7', userId: 'U1', userName: 'Ada', platformAdmin: true };
const approver: Actor = { orgId: 'slack:T7', userId: 'U8', userName: 'Apu', platformAdmin: false };
type Sandbox = Extract<ConnectionSettings, { platform: 'sandbox' }>;

/** Each project's tenants: a source with mail, calendars and contacts, an empty destination. */
function tenants(name: string, seed: number): { source: Sandbox; destination: Sandbox } {
  return {
    source: { platform: 'sandbox', seed, mailboxes: 3, messagesPerMailbox: 30, domain: `${name}-a.example` },
    destination: { platform: 'sandbox', seed: seed + 1, mailboxes: 3, messagesPerMailbox: 0, domain: `${name}-b.example` },
  };
}

describe('the verification of a copy run', () => {
  let engine: Engine;
  /** Destination address → faults of its copy job's writes. */
  const faults = new Map<string, { lostAfterWrites?: number; refusedAfterWrites?: number }>();
  /** The checks copy jobs make throw (for these destination addresses, or all with '*'); the finalizer's do not. */
  const failingJobChecks = new Set<string>();
  /** Connectors opened (sign-ins at either side). */
  let connects = 0;

  /**
   * A copy job's connector lists folders without counts first (ensureFolders); the finalizer's never
   * does. So a counted listing after an uncounted one on the same connector is a copy job's own check.
   */
  const wrap = (connector: Connector, side: 'source' | 'destination'): Connector => {
    let copying = false;
    let writes = 0;
    return {
      ...connector,
      capabilities: connector.capabilities, limits: connector.limits, platform: connector.platform,
      listFolders: async (mailbox, options, signal) => {
        if (!options?.withStats) copying = true;
        else if (copying && side === 'destination' && (failingJobChecks.has('*') || failingJobChecks.has(mailbox.address))) {
          throw new AppError('CONNECTION_FAILED', 'listing lost (test)', { retryable: true });
        }
        return connector.listFolders(mailbox, options, signal);
      },
      writeItem: async (mailbox, folder, item, signal) => {
        const fault = faults.get(mailbox.address);
        // Writes overlap (a pipeline per mailbox): each compares its own number.
        const n = ++writes;
        if (fault?.refusedAfterWrites !== undefined && n > fault.refusedAfterWrites) throw new AppError('AUTH_FAILED', 'the destination refused the sign-in (test)');
        const written = await connector.writeItem(mailbox, folder, item, signal);
        if (fault?.lostAfterWrites !== undefined && n === fault.lostAfterWrites) {
          delete fault.lostAfterWrites;
          throw new AppError('CONNECTION_FAILED', 'connection lost after the write (test)', { retryable: true });
        }
        return written;
      },
    };
  };

  beforeAll(async () => {
    engine = await createEngine(testEngineOptions({
      connect: async (settings: ConnectionSettings) => {
        connects++;
        const side = settings.platform === 'sandbox' && settings.messagesPerMailbox > 0 ? 'source' : 'destination';
        return wrap(await createConnector(settings), side);
      },
    }));
    await engine.startWorkers();
    await engine.grantRole(admin, { userId: approver.userId, role: 'approver' });
    await engine.grantCredits(admin, { amount: 100, reason: 'test credits' });
  }, 60_000);
  afterAll(async () => engine?.close());

  async function runToEnd(project: string, mode: 'full' | 'retry'): Promise<{ id: string; status: string; verification: VerificationInfo; connects: number }> {
    const before = connects;
    const run = await engine.launchRun(admin, { project, mode });
    if (run.hold?.status === 'pending_approval') await engine.decideHold(approver, { holdId: run.hold.id, decision: 'approve' });
    const done = await waitForRun(engine, run.id);
    const verification = await engine.getVerification(admin, { project, runId: run.id });
    expect(verification).not.toBeNull();
    return { id: run.id, status: done.status, verification: verification!, connects: connects - before };
  }

  /** What each side holds now, read by fresh connectors: per mailbox, folder path → count. */
  async function truth(settings: Sandbox): Promise<Map<string, Map<string, number>>> {
    const reader = createSandboxConnector(settings);
    const found = new Map<string, Map<string, number>>();
    for (const box of sandboxMailboxes(settings)) {
      found.set(box.address, new Map((await reader.listFolders(box, { withStats: true })).map((f) => [f.path.join('/'), f.count ?? 0])));
    }
    return found;
  }

  it('lists every mailbox with the counts both sides report, a re-attempted one and one whose own check failed included', async () => {
    const { source, destination } = tenants('ver', 71);
    await scannedSandboxProject(engine, admin, { name: 'ver', channelKey: 'slack:T7:ver', source, destination });
    faults.set('user1@ver-b.example', { lostAfterWrites: 7 });
    failingJobChecks.add('user2@ver-b.example');
    const run = await runToEnd('ver', 'full');
    failingJobChecks.clear();
    expect(run.status).toBe('completed');
    const { verification } = run;
    expect(verification).toMatchObject({ runId: run.id, projectName: 'ver', consistencyPercent: 100, missingTotal: 0, failedItems: 0 });
    expect(verification.mailboxes.map((m) => m.sourceAddress)).toEqual(['user1@ver-a.example', 'user2@ver-a.example', 'user3@ver-a.example']);
    const [from, to] = [await truth(source), await truth(destination)];
    for (const m of verification.mailboxes) {
      expect(m.destinationAddress).toBe(m.sourceAddress.replace('ver-a', 'ver-b'));
      expect(m.missing).toBe(0);
      const paths = [...from.get(m.sourceAddress)!].filter(([, n]) => n > 0).map(([p]) => p).sort((a, b) => a.localeCompare(b));
      expect(m.folders.filter((f) => f.source > 0).map((f) => f.path)).toEqual(paths);
      for (const f of m.folders) {
        expect(f).toEqual({ path: f.path, source: from.get(m.sourceAddress)!.get(f.path), destination: to.get(m.destinationAddress!)!.get(f.path), ledger: f.source, missing: 0 });
      }
    }
    // user1 was copied by two attempts; its check is the second's, and the mailbox is whole.
    const log = await engine.mailboxLog(admin, { address: 'user1@ver-a.example', project: 'ver', pageSize: 100 });
    expect(log.entries.map((e) => e.message)).toContain('Started again (attempt 2)');
    // A check that could not be made in the copy job fails nothing.
    expect((await engine.getRun(run.id)).mailboxRuns.every((m) => m.status === 'completed' && m.health === 'healthy')).toBe(true);

    // Two sign-ins per attempt (user1 made two), and the finalizer's own two for user2 alone.
    expect(run.connects).toBe(2 * 4 + 2);

    // Nothing changed since: a second full run copies nothing. Every mailbox checked by its own job,
    // the finalizer signs in nowhere, and the card is the same.
    const stored = await runToEnd('ver', 'full');
    expect(stored.connects).toBe(2 * 3);
    expect({ ...stored.verification, runId: run.id }).toEqual(verification);
    // Every check made by the finalizer at the end, as before mailboxes checked themselves: the same card again.
    failingJobChecks.add('*');
    const atTheEnd = await runToEnd('ver', 'full');
    failingJobChecks.clear();
    expect(atTheEnd.status).toBe('completed');
    expect(atTheEnd.connects).toBe(2 * 3 + 2);
    expect({ ...atTheEnd.verification, runId: run.id }).toEqual(verification);
  });

  it('counts what a failed mailbox lacks, and a retry checks it afresh', async () => {
    const { source, destination } = tenants('fail', 81);
    await scannedSandboxProject(engine, admin, { name: 'fail', channelKey: 'slack:T7:fail', source, destination });
    faults.set('user3@fail-b.example', { refusedAfterWrites: 10 });
    const run = await runToEnd('fail', 'full');
    expect(run.status).toBe('completed');
    const failed = run.verification.mailboxes.find((m) => m.sourceAddress === 'user3@fail-a.example')!;
    const from = await truth(source);
    const whole = [...from.get('user3@fail-a.example')!.values()].reduce((n, c) => n + c, 0);
    expect(failed.missing).toBe(whole - failed.folders.reduce((n, f) => n + f.ledger, 0));
    expect(failed.missing).toBeGreaterThan(0);
    expect(run.verification.missingTotal).toBe(failed.missing);
    expect(run.verification.consistencyPercent).toBeLessThan(100);
    expect(run.verification.mailboxes.filter((m) => m.missing === 0).map((m) => m.sourceAddress)).toEqual(['user1@fail-a.example', 'user2@fail-a.example']);

    faults.delete('user3@fail-b.example');
    const retried = await runToEnd('fail', 'retry');
    expect(retried.status).toBe('completed');
    expect(retried.verification).toMatchObject({ consistencyPercent: 100, missingTotal: 0, failedItems: 0 });
    const to = await truth(destination);
    expect(retried.verification.mailboxes.map((m) => m.sourceAddress)).toEqual(['user3@fail-a.example']);
    for (const f of retried.verification.mailboxes[0]!.folders) {
      expect(f).toMatchObject({ source: from.get('user3@fail-a.example')!.get(f.path), destination: to.get('user3@fail-b.example')!.get(f.path), ledger: f.source, missing: 0 });
    }
  });
});
