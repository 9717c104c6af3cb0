/** Shared by the engine-level Microsoft 365 runs: waiting for runs, launching through credits and approval, truth helpers. */
import { expect } from 'vitest';
import type { Actor, Engine, RunDetail, RunInfo } from '../../src/engine/index.js';
import type { RunMode } from '../../src/engine/api.js';
import type { GraphSimulator } from '../simulators/graph/index.js';

export const admin: Actor = { orgId: 'slack:T365', userId: 'U1', userName: 'Ada Admin', platformAdmin: true };
/** A second person who approves holds (the launcher may not approve their own). */
export const approver: Actor = { orgId: 'slack:T365', userId: 'U2', userName: 'Megan Bowen', platformAdmin: true };

export async function waitForRun(engine: Engine, runId: string, ms = 60_000, onTick?: () => Promise<void>): Promise<RunDetail> {
  const deadline = Date.now() + ms;
  for (;;) {
    const run = await engine.getRun(runId);
    if (['completed', 'failed', 'cancelled'].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status}: ${JSON.stringify(run.progress)}`);
    await onTick?.();
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Launches a copy run; a full run held for credits is granted what it needs and approved by a second admin. */
export async function launch(engine: Engine, project: string, mode: Exclude<RunMode, 'scan'>, options?: Parameters<Engine['launchRun']>[1]['options']): Promise<RunInfo> {
  if (mode === 'full') {
    const need = await engine.creditNeed(admin, { project });
    if (need.shortfall > 0) await engine.grantCredits(admin, { amount: need.shortfall, reason: 'Microsoft 365 tests' });
  }
  const run = await engine.launchRun(admin, { project, mode, ...(options ? { options } : {}) });
  if (run.status === 'pending_approval' && run.hold) await engine.decideHold(approver, { holdId: run.hold.id, decision: 'approve' });
  return run;
}

/** Scans a project and maps every source address with `map` (an address, or create_missing). */
export async function scanAndMap(engine: Engine, project: string, map: (source: string) => string): Promise<void> {
  const scan = await engine.startScan(admin, { project });
  const done = await waitForRun(engine, scan.id);
  expect(done.status, done.error ?? '').toBe('completed');
  const review = await engine.getMatchReview(admin, { project, filter: 'all', pageSize: 100 });
  for (const row of review.rows) {
    await engine.updateMapping(admin, { project, mappingId: row.id, change: { type: 'override', destinationAddress: map(row.source.address) } });
  }
}

/** A mailbox's messages in the simulator as "path|Message-ID|read|received" (a multiset: sorted). */
export function graphSnapshot(sim: GraphSimulator, tenantId: string, address: string): string[] {
  return sim.mailbox(tenantId, address).messages.map((m) => `${m.path.join('/')}|${m.internetMessageId}|${m.isRead}|${m.receivedDateTime}`).sort();
}
