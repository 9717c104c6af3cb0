import { and, eq, sql } from 'drizzle-orm';
import { AppError } from '../../../errors.js';
import type { RunMode, RunOptions } from '../../api.js';
import type { Connector, MailboxRef, MailboxKind } from '../../connectors/types.js';
import type { EngineContext } from '../../context.js';
import { connections, mailboxes, mailboxRuns, mappings, projects, runs } from '../../db/schema.js';
import { decryptSettings } from '../../secrets.js';

type MailboxRow = typeof mailboxes.$inferSelect;

export interface CopyWork {
  run: typeof runs.$inferSelect;
  project: typeof projects.$inferSelect;
  mailboxRun: typeof mailboxRuns.$inferSelect;
  mapping: typeof mappings.$inferSelect;
  sourceRef: MailboxRef;
  destinationRef: MailboxRef;
  mode: Exclude<RunMode, 'scan'>;
  options: RunOptions;
}

export function refOf(row: MailboxRow): MailboxRef {
  return { id: row.externalId, address: row.address, displayName: row.displayName, kind: row.kind as MailboxKind };
}

/** A destination that does not exist yet (create_missing): addressed by its address alone. */
export function plannedRef(address: string): MailboxRef {
  return { id: address, address, displayName: address.split('@')[0] ?? address, kind: 'user' };
}

/** The rows a copy job needs, or null when there is nothing to do (finished, cancelled, unknown). */
export async function loadWork(ctx: EngineContext, mailboxRunId: string): Promise<CopyWork | null> {
  const [row] = await ctx.db.select().from(mailboxRuns)
    .innerJoin(runs, eq(mailboxRuns.runId, runs.id)).innerJoin(projects, eq(runs.projectId, projects.id))
    .innerJoin(mappings, eq(mailboxRuns.mappingId, mappings.id)).where(eq(mailboxRuns.id, mailboxRunId)).limit(1);
  if (!row || row.runs.mode === 'scan') return null;
  if (!['pending', 'running'].includes(row.mailbox_runs.status) || !['queued', 'running'].includes(row.runs.status)) return null;
  const [source] = await ctx.db.select().from(mailboxes).where(eq(mailboxes.id, row.mappings.sourceMailboxId));
  if (!source) return null;
  const [destination] = row.mappings.destinationMailboxId
    ? await ctx.db.select().from(mailboxes).where(eq(mailboxes.id, row.mappings.destinationMailboxId)) : [];
  const address = destination?.address ?? row.mappings.destinationAddress;
  if (!address) throw new AppError('BAD_INPUT', `${source.address} has no destination mailbox; match it, then run retry.`);
  return {
    run: row.runs, project: row.projects, mailboxRun: row.mailbox_runs, mapping: row.mappings,
    sourceRef: refOf(source), destinationRef: destination ? refOf(destination) : plannedRef(address),
    mode: row.runs.mode, options: row.runs.options as RunOptions,
  };
}

/** Both connectors of a project, decrypted like the scan does. */
export async function openConnectors(ctx: EngineContext, projectId: string): Promise<{ source: Connector; destination: Connector; close(): Promise<void> }> {
  const conns = await ctx.db.select().from(connections).where(eq(connections.projectId, projectId));
  const opened: Connector[] = [];
  const close = async () => { for (const c of opened) await c.close().catch(() => undefined); };
  try {
    const open = async (side: 'source' | 'destination') => {
      const conn = conns.find((c) => c.side === side);
      if (!conn) throw new AppError('NOT_CONNECTED', `The ${side} connection is missing; connect it, then run retry.`);
      const connector = await ctx.connect(decryptSettings(conn.secret, ctx.secretKey));
      opened.push(connector);
      return connector;
    };
    return { source: await open('source'), destination: await open('destination'), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Marks the mailbox run running (one more attempt); the run too if it was still queued. */
export async function markStarted(ctx: EngineContext, work: CopyWork): Promise<number> {
  const now = ctx.now();
  await ctx.db.update(runs).set({ status: 'running', startedAt: work.run.startedAt ?? now }).where(and(eq(runs.id, work.run.id), eq(runs.status, 'queued')));
  const [updated] = await ctx.db.update(mailboxRuns).set({
    status: 'running', attempts: sql`${mailboxRuns.attempts} + 1`, startedAt: work.mailboxRun.startedAt ?? now, lastProgressAt: now,
  }).where(and(eq(mailboxRuns.id, work.mailboxRun.id), sql`${mailboxRuns.status} in ('pending', 'running')`)).returning();
  return updated?.attempts ?? 0;
}
