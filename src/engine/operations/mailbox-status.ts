import { sql } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Actor, MailboxProgressInfo, RunMode } from '../api.js';
import type { EngineContext } from '../context.js';
import { rowsOf } from '../migrate/copy/copy-ledger.js';
import { ANY_ROLE, authorize } from '../policies/roles.js';
import { findProject } from './project-lookup.js';

interface Row {
  id: string; run_id: string; mapping_id: string; project_id: string; project_name: string; mode: RunMode; source: string; destination: string | null;
  status: MailboxProgressInfo['status']; health: MailboxProgressInfo['health']; health_reason: string | null;
  items_total: string | number; items_done: string | number; items_failed: string | number; bytes_done: string | number;
  started_at: string | Date | null; last_progress_at: string | Date | null; finished_at: string | Date | null; error: string | null;
}

const iso = (value: string | Date | null) => (value === null ? null : new Date(value).toISOString());

/** The latest copy mailbox run of an address (source or destination side), with its project id for authorization. */
export async function findMailboxRun(ctx: EngineContext, actor: Actor, props: { address: string; project?: string }): Promise<{ info: MailboxProgressInfo; projectId: string }> {
  const address = props.address.trim().toLowerCase();
  const projectId = props.project ? (await findProject(ctx.db, actor.orgId, props.project)).id : null;
  await authorize(ctx, actor, ANY_ROLE, 'mailbox.status', projectId ?? undefined);
  const found = await ctx.db.execute(sql`
    select mr.id, mr.run_id, mr.mapping_id, p.id as project_id, p.name as project_name, r.mode, src.address as source, coalesce(dst.address, map.destination_address) as destination,
      mr.status, mr.health, mr.health_reason, mr.items_total, mr.items_done, mr.items_failed, mr.bytes_done, mr.started_at, mr.last_progress_at, mr.finished_at, mr.error
    from mailbox_runs mr join runs r on r.id = mr.run_id join projects p on p.id = r.project_id
      join mappings map on map.id = mr.mapping_id join mailboxes src on src.id = map.source_mailbox_id
      left join mailboxes dst on dst.id = map.destination_mailbox_id
    where p.org_id = ${actor.orgId} and r.mode <> 'scan' and (${projectId}::text is null or p.id = ${projectId})
      and (lower(src.address) = ${address} or lower(dst.address) = ${address} or lower(map.destination_address) = ${address})
    order by r.created_at desc, mr.id limit 1`);
  const [row] = rowsOf<Row>(found);
  if (!row) throw new AppError('NOT_FOUND', `No migration run has touched ${address} yet${props.project ? ` in ${props.project}` : ''}. Check the address, or launch a run first.`);
  return { info: toProgress(ctx, row, row.status === 'running' ? await recentRate(ctx, row) : null), projectId: row.project_id };
}

const RECENT_MS = 5 * 60_000;

/** Items and bytes per minute over the last five minutes of the mailbox's work (ledger rows carry the database's time). */
async function recentRate(ctx: EngineContext, row: Row): Promise<{ items: number; bytes: number } | null> {
  const [found] = rowsOf<{ n: string | number; b: string | number | null; seconds: string | number }>(await ctx.db.execute(sql`
    with w as (select greatest(now() - make_interval(secs => ${RECENT_MS / 1000}), started_at) as since from mailbox_runs where id = ${row.id})
    select count(l.*) as n, sum(l.bytes) as b, extract(epoch from now() - (select since from w)) as seconds
    from item_ledger l where l.mapping_id = ${row.mapping_id} and l.run_id = ${row.run_id} and l.created_at >= (select since from w)`));
  if (!found) return null;
  const minutes = Math.max(Number(found.seconds) / 60, 1 / 60);
  return { items: Math.round((Number(found.n) / minutes) * 10) / 10, bytes: Math.round(Number(found.b ?? 0) / minutes) };
}

/** Rates over the last minutes while running (over the whole run once finished); ETA from the items left at that rate. */
function toProgress(ctx: EngineContext, row: Row, recent: { items: number; bytes: number } | null): MailboxProgressInfo {
  const total = Number(row.items_total);
  const done = Number(row.items_done);
  const failed = Number(row.items_failed);
  const bytes = Number(row.bytes_done);
  const start = row.started_at ? new Date(row.started_at).getTime() : null;
  const end = row.finished_at ? new Date(row.finished_at).getTime() : ctx.now().getTime();
  const minutes = start === null ? 0 : Math.max((end - start) / 60_000, 1 / 60);
  const itemsPerMinute = recent?.items ?? (minutes > 0 ? Math.round((done / minutes) * 10) / 10 : 0);
  const bytesPerMinute = recent?.bytes ?? (minutes > 0 ? Math.round(bytes / minutes) : 0);
  const left = Math.max(0, total - done - failed);
  const etaSeconds = row.status === 'completed' ? 0 : row.status === 'running' && itemsPerMinute > 0 ? Math.round((left / itemsPerMinute) * 60) : null;
  return {
    mailboxRunId: row.id, runId: row.run_id, projectName: row.project_name, mode: row.mode, sourceAddress: row.source, destinationAddress: row.destination,
    status: row.status, health: row.health, healthReason: row.health_reason, itemsTotal: total, itemsDone: done, itemsFailed: failed, bytesDone: bytes,
    itemsPerMinute, bytesPerMinute, etaSeconds, startedAt: iso(row.started_at), finishedAt: iso(row.finished_at), error: row.error,
  };
}

export async function mailboxStatus(ctx: EngineContext, actor: Actor, props: { address: string; project?: string }): Promise<MailboxProgressInfo> {
  return (await findMailboxRun(ctx, actor, props)).info;
}
