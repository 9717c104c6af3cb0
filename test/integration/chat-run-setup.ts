/**
 * Shared by chat-run-slack and chat-run-teams: a 1,000-mailbox sandbox → sandbox project on a
 * fresh PostgreSQL database (PGlite is about twice as slow for a run this size), and what a
 * correct run must end with, computed from the sandbox's own definition, not from the engine.
 */
import type { Actor, ConnectionSettings, Engine, RunDetail } from '../../src/engine/index.js';
import { sandboxMailboxes, sandboxStats } from '../../src/engine/connectors/sandbox/sandbox-tenant.js';

export const MAILBOXES = 1000;

export function sandboxPair(seed: number): { source: ConnectionSettings & { platform: 'sandbox' }; destination: ConnectionSettings & { platform: 'sandbox' } } {
  return {
    source: { platform: 'sandbox', seed, mailboxes: MAILBOXES, messagesPerMailbox: 1, domain: `src${seed}.example` },
    destination: { platform: 'sandbox', seed: seed + 1, mailboxes: MAILBOXES, messagesPerMailbox: 0, domain: `dst${seed}.example` },
  };
}

/** Items a full run must move: every mail, event and contact of every source mailbox. */
export function expectedItems(source: ConnectionSettings & { platform: 'sandbox' }): number {
  return sandboxMailboxes(source).reduce((n, _, i) => {
    const s = sandboxStats(source, i + 1);
    return n + s.mail + s.events + s.contacts;
  }, 0);
}

/**
 * These tests are about run cards, not credits (credits-*.test.ts cover those): the org's policy makes
 * a full run cost nothing, so launch queues it at once without a hold to approve.
 */
async function freeFullRuns(engine: Engine, actor: Actor): Promise<void> {
  await engine.setCreditPolicy(actor, { perMailbox: 0, publicFoldersCost: 0 });
}

/** Creates the project in `channelKey` and connects both sides (the chat forms for this are covered by slack-flow / teams-flow). */
export async function createSandboxProject(engine: Engine, actor: Actor, name: string, channelKey: string, seed: number): Promise<void> {
  const { source, destination } = sandboxPair(seed);
  await freeFullRuns(engine, actor);
  await engine.createProject(actor, { name, sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey });
  await engine.saveConnection(actor, { project: name, side: 'source', settings: source });
  await engine.saveConnection(actor, { project: name, side: 'destination', settings: destination });
}

export async function waitForRun(engine: Engine, actor: Actor, project: string, mode: RunDetail['mode'], timeoutMs: number): Promise<RunDetail> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const run = await engine.latestRun(actor, { project, mode });
    if (run && ['completed', 'failed', 'cancelled'].includes(run.status)) return run;
    if (Date.now() > until) throw new Error(`${mode} run of ${project} did not finish: ${run?.status} ${JSON.stringify(run?.progress)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Gaps in ms between consecutive timestamps. */
export function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

/** One mailbox of 40 messages whose destination throttles half its calls: a long event log and many alerts. */
export function throttledPair(seed: number): { source: ConnectionSettings & { platform: 'sandbox' }; destination: ConnectionSettings & { platform: 'sandbox' } } {
  return {
    source: { platform: 'sandbox', seed, mailboxes: 1, messagesPerMailbox: 40, domain: `tiny${seed}.example` },
    destination: { platform: 'sandbox', seed: seed + 1, mailboxes: 1, messagesPerMailbox: 0, domain: `tinydst${seed}.example`, throttleRate: 0.5 },
  };
}

export async function createThrottledProject(engine: Engine, actor: Actor, name: string, channelKey: string, seed: number): Promise<void> {
  const { source, destination } = throttledPair(seed);
  await freeFullRuns(engine, actor);
  await engine.createProject(actor, { name, sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey });
  await engine.saveConnection(actor, { project: name, side: 'source', settings: source });
  await engine.saveConnection(actor, { project: name, side: 'destination', settings: destination });
}
