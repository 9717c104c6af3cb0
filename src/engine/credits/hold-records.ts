/** Hold rows → HoldInfo of api.ts (with the project, the org's approvers and whether self-approval is allowed). */
import { and, eq, inArray } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { CreditLine, EngineOptions, HoldInfo } from '../api.js';
import type { DbOrTx } from '../db/client.js';
import { creditHolds, orgs, projects, roles, settings } from '../db/schema.js';

export type HoldRow = typeof creditHolds.$inferSelect;

/** Teams refresh.userIds takes at most 60 ids. */
const MAX_APPROVER_IDS = 60;

/** What reading a hold needs: the store, and the operators (MAILFERRY_ADMINS) who approve in every org. */
export interface HoldReader {
  db: DbOrTx;
  options: Pick<EngineOptions, 'admins'>;
}

/**
 * Everyone the server would accept as approver (policies/roles.ts): the operators of MAILFERRY_ADMINS
 * first (few, and admins in every org), then the stored approvers and admins. Slack workspace admins
 * also approve, but only Slack knows who they are, so they are not listed.
 */
export async function approverIds(reader: HoldReader, orgId: string): Promise<string[]> {
  const rows = await reader.db.selectDistinct({ userId: roles.userId }).from(roles)
    .where(and(eq(roles.orgId, orgId), inArray(roles.role, ['approver', 'admin']))).orderBy(roles.userId).limit(MAX_APPROVER_IDS);
  return [...new Set([...reader.options.admins, ...rows.map((r) => r.userId)])].slice(0, MAX_APPROVER_IDS);
}

export function aliasKey(orgId: string, userId: string): string {
  return `user-alias:${orgId}:${userId}`;
}

/** Each id as the chat platform addresses it (saved by the bot when it sees the user), else the id itself. */
async function chatIds(db: DbOrTx, orgId: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.select().from(settings).where(inArray(settings.key, ids.map((id) => aliasKey(orgId, id))));
  const byKey = new Map(rows.map((r) => [r.key, (r.value as { alias?: string }).alias]));
  return ids.map((id) => byKey.get(aliasKey(orgId, id)) ?? id);
}

export async function toHoldInfo(reader: HoldReader, row: HoldRow): Promise<HoldInfo> {
  const { db } = reader;
  const [project] = await db.select({ name: projects.name, channelKey: projects.channelKey }).from(projects).where(eq(projects.id, row.projectId));
  const [org] = await db.select({ selfApproval: orgs.selfApproval }).from(orgs).where(eq(orgs.id, row.orgId));
  return {
    id: row.id, orgId: row.orgId, projectId: row.projectId, projectName: project?.name ?? row.projectId, runId: row.runId,
    channelKey: project?.channelKey ?? '', status: row.status, amount: row.amount, consumed: row.consumed, released: row.released,
    availableBefore: row.availableBefore, availableAfter: row.availableAfter, requestedBy: row.requestedBy, requestedByName: row.requestedByName,
    createdAt: row.createdAt.toISOString(), expiresAt: row.expiresAt.toISOString(), decidedBy: row.decidedBy, decidedByName: row.decidedByName,
    decidedAt: row.decidedAt?.toISOString() ?? null, outcome: row.outcome, lines: row.lines as CreditLine[],
    ...await approvers(reader, row.orgId), selfApproval: org?.selfApproval ?? false,
  };
}

async function approvers(reader: HoldReader, orgId: string): Promise<Pick<HoldInfo, 'approverIds' | 'approverChatIds'>> {
  const ids = await approverIds(reader, orgId);
  return { approverIds: ids, approverChatIds: await chatIds(reader.db, orgId, ids) };
}

/** The hold of an org (NOT_FOUND for another org's: ids are not secrets, but holds are). */
export async function findHold(db: DbOrTx, orgId: string, holdId: string): Promise<HoldRow> {
  const [row] = await db.select().from(creditHolds).where(and(eq(creditHolds.id, holdId), eq(creditHolds.orgId, orgId)));
  if (!row) throw new AppError('NOT_FOUND', `There is no credit hold ${holdId} in this workspace; \`approvals\` lists the pending ones.`);
  return row;
}

export async function holdOfRun(db: DbOrTx, runId: string): Promise<HoldRow | null> {
  const [row] = await db.select().from(creditHolds).where(eq(creditHolds.runId, runId));
  return row ?? null;
}

/** "09:12 UTC" (today) or "2026-11-23 09:12 UTC". */
export function clock(at: Date, now: Date): string {
  const iso = at.toISOString();
  const time = `${iso.slice(11, 16)} UTC`;
  return iso.slice(0, 10) === now.toISOString().slice(0, 10) ? time : `${iso.slice(0, 10)} ${time}`;
}

/** The run's hold as HoldInfo (null for runs that needed no credits): for RunInfo.hold on reads. */
export async function holdInfoOfRun(reader: HoldReader, runId: string): Promise<HoldInfo | null> {
  const row = await holdOfRun(reader.db, runId);
  return row ? toHoldInfo(reader, row) : null;
}
