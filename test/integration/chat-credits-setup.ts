/**
 * Shared by chat-credits-slack and chat-credits-teams: small sandbox → sandbox projects whose
 * costs follow from the sandbox's own definition (mailbox 5 is a room: free), not from the engine.
 */
import type { Actor, ConnectionSettings, Engine } from '../../src/engine/index.js';
import { sandboxMailboxes, sandboxStats } from '../../src/engine/connectors/sandbox/sandbox-tenant.js';
import { waitForRun } from './chat-run-setup.js';

type SandboxSettings = ConnectionSettings & { platform: 'sandbox' };

export function smallPair(seed: number, mailboxes: number): { source: SandboxSettings; destination: SandboxSettings } {
  return {
    source: { platform: 'sandbox', seed, mailboxes, messagesPerMailbox: 2, domain: `csrc${seed}.example` },
    destination: { platform: 'sandbox', seed: seed + 1, mailboxes, messagesPerMailbox: 0, domain: `cdst${seed}.example` },
  };
}

/** Mailboxes a full run charges: every source mailbox except rooms and equipment. */
export function chargedMailboxes(source: SandboxSettings): number {
  return sandboxMailboxes(source).filter((m) => m.kind !== 'room' && m.kind !== 'equipment').length;
}

/** Whether every charged mailbox has something to copy (each then consumes its credit). */
export function everyChargedMailboxHasItems(source: SandboxSettings): boolean {
  return sandboxMailboxes(source).every((m, i) => {
    if (m.kind === 'room' || m.kind === 'equipment') return true;
    const s = sandboxStats(source, i + 1);
    return s.mail + s.events + s.contacts > 0;
  });
}

/** Creates, connects and scans a project in `channelKey`. */
export async function scannedProject(engine: Engine, actor: Actor, name: string, channelKey: string, seed: number, mailboxes: number): Promise<SandboxSettings> {
  const { source, destination } = smallPair(seed, mailboxes);
  await engine.createProject(actor, { name, sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey });
  await engine.saveConnection(actor, { project: name, side: 'source', settings: source });
  await engine.saveConnection(actor, { project: name, side: 'destination', settings: destination });
  await engine.startScan(actor, { project: name });
  const scan = await waitForRun(engine, actor, name, 'scan', 30_000);
  if (scan.status !== 'completed') throw new Error(`scan of ${name} ended ${scan.status}`);
  return source;
}

/** The ledger's own arithmetic: the balance equals the sum of its entries. */
export async function ledgerSum(engine: Engine, actor: Actor): Promise<number> {
  const entries = await engine.ledger(actor, { limit: 1000 });
  return entries.reduce((n, e) => n + e.amount, 0);
}
