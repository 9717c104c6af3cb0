/**
 * A run with a hold ended (finished, failed or cancelled): release what it did not consume, then
 * tell the channel. Idempotent: a hold already ended is left alone.
 */
import type { EngineContext } from '../context.js';
import type { DbOrTx } from '../db/client.js';
import { credits } from './credit-ledger.js';
import { endHold, type EndedHold } from './hold-releaser.js';
import { toHoldInfo } from './hold-records.js';

const SYSTEM = { id: 'system', name: 'mailferry' };

function finishedSentence(consumed: number, released: number): string {
  return `run finished: ${consumed} consumed, ${released} released`;
}

/** In the cancel's transaction (the caller locked the run first). */
export async function releaseOnCancel(tx: DbOrTx, props: { runId: string; at: Date; actor: { id: string; name: string } }): Promise<EndedHold | null> {
  return endHold(tx, { runId: props.runId, ending: 'cancelled', at: props.at, actor: props.actor, outcome: (c, r) => `run cancelled by ${props.actor.name}: ${c} consumed, ${r} released` });
}

/** After a run reached its final status (copy-finalize). */
export async function releaseAtRunEnd(ctx: EngineContext, runId: string): Promise<void> {
  const ended = await ctx.db.transaction((tx) => endHold(tx, { runId, ending: 'finished', at: ctx.now(), actor: SYSTEM, outcome: finishedSentence }));
  if (ended) await announceEnded(ctx, ended, 'finished');
}

/** credits.changed ("Run of Contoso finished: 18 credits consumed, 2 released."), and hold.decided when it was still pending. */
export async function announceEnded(ctx: EngineContext, ended: EndedHold, how: 'finished' | 'cancelled'): Promise<void> {
  const info = await toHoldInfo(ctx, ended.hold);
  const base = { runId: info.runId, projectId: info.projectId, channelKey: info.channelKey, orgId: info.orgId, holdId: info.id };
  if (ended.wasPending) await ctx.publish({ type: 'hold.decided', ...base });
  await ctx.publish({ type: 'credits.changed', ...base, runId: '',
    note: `Run of ${info.projectName} ${how}: ${credits(info.consumed)} consumed, ${ended.released} released.` });
}
