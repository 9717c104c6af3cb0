import { asc, count, eq } from 'drizzle-orm';
import type { Actor, MailboxLogPage } from '../api.js';
import type { EngineContext } from '../context.js';
import { mailboxRunEvents } from '../db/schema.js';
import { findMailboxRun } from './mailbox-status.js';

/** A page (1-based) of the chronological event log of an address's latest mailbox run. */
export async function mailboxLog(ctx: EngineContext, actor: Actor, props: { address: string; project?: string; page?: number; pageSize?: number }): Promise<MailboxLogPage> {
  const { info } = await findMailboxRun(ctx, actor, props);
  const pageSize = Math.min(Math.max(1, props.pageSize ?? 20), 100);
  const [counted] = await ctx.db.select({ n: count() }).from(mailboxRunEvents).where(eq(mailboxRunEvents.mailboxRunId, info.mailboxRunId));
  const total = counted?.n ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, props.page ?? 1), pageCount);
  const rows = await ctx.db.select().from(mailboxRunEvents).where(eq(mailboxRunEvents.mailboxRunId, info.mailboxRunId))
    .orderBy(asc(mailboxRunEvents.id)).limit(pageSize).offset((page - 1) * pageSize);
  return { mailbox: info, entries: rows.map((r) => ({ at: r.at.toISOString(), level: r.level, message: r.message })), page, pageCount, total };
}
