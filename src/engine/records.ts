import { and, count, desc, eq } from 'drizzle-orm';
import type { ConnectionInfo, MailboxInfo, MailboxRunInfo, MappingInfo, ProjectInfo, RunInfo, RunOptions, ScanSummary, VerificationInfo } from './api.js';
import type { MailboxKind, Platform } from './connectors/types.js';
import type { DbOrTx } from './db/client.js';
import { connections, mailboxes, mailboxRuns, mappings, projects, runs } from './db/schema.js';

/** Rows → the plain data of api.ts. Nothing else leaves the engine. */
type ProjectRow = typeof projects.$inferSelect;
type RunRow = typeof runs.$inferSelect;
type MailboxRow = typeof mailboxes.$inferSelect;
type MappingRow = typeof mappings.$inferSelect;

export function toMailboxInfo(row: MailboxRow): MailboxInfo {
  return {
    id: row.id, side: row.side, address: row.address, displayName: row.displayName, kind: row.kind as MailboxKind,
    folders: row.folders, mail: row.mail, events: row.events, contacts: row.contacts, bytes: row.bytes, scanError: row.scanError,
  };
}

export function toRunInfo(row: RunRow, project: Pick<ProjectRow, 'name' | 'channelKey'>): RunInfo {
  return {
    id: row.id, projectId: row.projectId, projectName: project.name, channelKey: project.channelKey, mode: row.mode, status: row.status,
    startedBy: row.startedBy, startedByName: row.startedByName, createdAt: row.createdAt.toISOString(), finishedAt: row.finishedAt?.toISOString() ?? null,
    progress: { ...row.progress }, error: row.error,
    // Scan summaries keep their shape; a copy run's summary holds its verification.
    summary: row.mode === 'scan' ? ((row.summary as ScanSummary | null) ?? null) : null,
    ...(row.mode === 'scan' ? {} : {
      verification: ((row.summary as { verification?: VerificationInfo } | null)?.verification) ?? null,
      options: row.options as RunOptions,
    }),
  };
}

export function toMailboxRunInfo(row: typeof mailboxRuns.$inferSelect, mailbox: MailboxRow): MailboxRunInfo {
  return {
    id: row.id, mailbox: toMailboxInfo(mailbox), status: row.status, health: row.health, healthReason: row.healthReason, error: row.error,
    itemsTotal: row.itemsTotal, itemsDone: row.itemsDone, itemsFailed: row.itemsFailed, bytesDone: row.bytesDone,
    lastProgressAt: row.lastProgressAt?.toISOString() ?? null,
  };
}

export function toMappingInfo(row: MappingRow, source: MailboxRow, destination: MailboxRow | null, candidates: string[]): MappingInfo {
  return {
    id: row.id, source: toMailboxInfo(source), destination: destination ? toMailboxInfo(destination) : null,
    destinationAddress: row.destinationAddress, status: row.status, confidence: row.confidence, reason: row.reason,
    changedBy: row.changedBy, candidates,
  };
}

function toConnectionInfo(row: typeof connections.$inferSelect): ConnectionInfo {
  return { side: row.side, platform: row.platform as Platform, status: row.status, summary: row.summary, validatedAt: row.validatedAt?.toISOString() ?? null };
}

export async function latestRunRow(db: DbOrTx, projectId: string, mode?: RunRow['mode']): Promise<RunRow | null> {
  const where = mode ? and(eq(runs.projectId, projectId), eq(runs.mode, mode)) : eq(runs.projectId, projectId);
  const [row] = await db.select().from(runs).where(where).orderBy(desc(runs.createdAt), desc(runs.id)).limit(1);
  return row ?? null;
}

/** The project with its connections, last scan and what to do next. */
export async function toProjectInfo(db: DbOrTx, project: ProjectRow): Promise<ProjectInfo> {
  const conns = await db.select().from(connections).where(eq(connections.projectId, project.id));
  const lastScanRow = await latestRunRow(db, project.id, 'scan');
  const lastScan = lastScanRow ? toRunInfo(lastScanRow, project) : null;
  const connected = (['source', 'destination'] as const).every((side) => conns.some((c) => c.side === side && c.status === 'valid'));
  let stage: ProjectInfo['stage'] = 'needs_connections';
  if (connected) {
    if (!lastScan || lastScan.status === 'failed' || lastScan.status === 'cancelled') stage = 'ready_to_scan';
    else if (lastScan.status !== 'completed') stage = 'scanning';
    else {
      const [all] = await db.select({ n: count() }).from(mappings).where(eq(mappings.projectId, project.id));
      const [open] = await db.select({ n: count() }).from(mappings).where(and(eq(mappings.projectId, project.id), eq(mappings.status, 'needs_review')));
      stage = (all?.n ?? 0) > 0 && (open?.n ?? 0) === 0 ? 'ready_to_launch' : 'ready_to_match';
    }
  }
  return {
    id: project.id, orgId: project.orgId, name: project.name, sourcePlatform: project.sourcePlatform as Platform,
    destinationPlatform: project.destinationPlatform as Platform, channelKey: project.channelKey, createdBy: project.createdBy,
    createdAt: project.createdAt.toISOString(), connections: conns.sort((a, b) => a.side.localeCompare(b.side) * -1).map(toConnectionInfo),
    stage, lastScan,
  };
}
