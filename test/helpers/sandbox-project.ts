/** Sandbox projects for engine tests: waiting for a run, and a project scanned for real and matched. */
import { expect } from 'vitest';
import type { ConnectionSettings } from '../../src/engine/connectors/types.js';
import type { Actor, Engine, RunDetail } from '../../src/engine/index.js';

export async function waitForRun(engine: Engine, runId: string, ms = 60_000): Promise<RunDetail> {
  const deadline = Date.now() + ms;
  for (;;) {
    const run = await engine.getRun(runId);
    if (['completed', 'failed', 'cancelled'].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status}: ${JSON.stringify(run.progress)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type SandboxSettings = Extract<ConnectionSettings, { platform: 'sandbox' }>;

/**
 * Creates a sandbox → sandbox project in `channelKey`, scans it (workers must run) and matches every
 * source to the same user at the destination's domain.
 */
export async function scannedSandboxProject(engine: Engine, actor: Actor, props: { name: string; channelKey: string; source: SandboxSettings; destination: SandboxSettings }): Promise<void> {
  const { name, source, destination } = props;
  await engine.createProject(actor, { name, sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey: props.channelKey });
  await engine.saveConnection(actor, { project: name, side: 'source', settings: source });
  await engine.saveConnection(actor, { project: name, side: 'destination', settings: destination });
  const scan = await engine.startScan(actor, { project: name });
  expect((await waitForRun(engine, scan.id)).status).toBe('completed');
  const review = await engine.getMatchReview(actor, { project: name, filter: 'all', pageSize: 100 });
  for (const row of review.rows) {
    const wanted = row.source.address.replace(source.domain, destination.domain);
    if (row.destination?.address !== wanted || row.status !== 'matched') await engine.updateMapping(actor, { project: name, mappingId: row.id, change: { type: 'override', destinationAddress: wanted } });
  }
}
