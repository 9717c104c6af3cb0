/** The Playground demo org gets 100 credits once, so its full run can be launched and approved. */
import { sql } from 'drizzle-orm';
import type { EngineContext } from '../context.js';
import { lockAccount, postEntry, rowsOf } from './credit-ledger.js';

export const DEMO_CREDITS = 100;
const REASON = 'demo credits';

export async function grantDemoCreditsOnce(ctx: EngineContext, orgId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    // The account lock makes "once" hold even when two requests create the demo at the same moment.
    await lockAccount(tx, orgId);
    const given = rowsOf(await tx.execute(sql`select 1 from credit_ledger where org_id = ${orgId} and kind = 'grant' and reason = ${REASON} limit 1`));
    if (given.length > 0) return;
    await postEntry(tx, { orgId, kind: 'grant', amount: DEMO_CREDITS, heldDelta: 0, actor: 'mailferry', reason: REASON, at: ctx.now() });
  });
}
