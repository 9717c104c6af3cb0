import { and, asc, count, eq, inArray } from 'drizzle-orm';
import type { Actor, MappingInfo, MappingStatus, MatchReview } from '../api.js';
import type { EngineContext } from '../context.js';
import { mailboxes, mappings } from '../db/schema.js';
import { requireScan } from '../migrate/mapping-change.js';
import { candidatesFor, scannedMailboxes, suggestMappings } from '../migrate/match-suggester.js';
import { ANY_ROLE, authorize } from '../policies/roles.js';
import { toMappingInfo, toProjectInfo } from '../records.js';
import { findProject } from './project-lookup.js';

export interface MatchReviewProps { project: string; filter?: 'needs_review' | 'all'; page?: number; pageSize?: number }

const STATUSES: MappingStatus[] = ['matched', 'needs_review', 'excluded', 'create_missing'];

/** A page of the review; builds the suggestions first if the latest scan has none. */
export async function getMatchReview(ctx: EngineContext, actor: Actor, props: MatchReviewProps): Promise<MatchReview> {
  const project = await findProject(ctx.db, actor.orgId, props.project);
  await authorize(ctx, actor, ANY_ROLE, 'match.read', project.id);
  const scan = await requireScan(ctx.db, project);
  const [any] = await ctx.db.select({ n: count() }).from(mappings).where(eq(mappings.projectId, project.id));
  if ((any?.n ?? 0) === 0) await ctx.db.transaction((tx) => suggestMappings(tx, project, scan.id));

  const filter = props.filter ?? 'needs_review';
  const pageSize = Math.min(Math.max(1, props.pageSize ?? 25), 100);
  const tallies = await ctx.db.select({ status: mappings.status, n: count() }).from(mappings).where(eq(mappings.projectId, project.id)).groupBy(mappings.status);
  const counts = Object.fromEntries(STATUSES.map((s) => [s, tallies.find((t) => t.status === s)?.n ?? 0])) as Record<MappingStatus, number>;
  const totalAll = STATUSES.reduce((s, k) => s + counts[k], 0);
  const total = filter === 'all' ? totalAll : counts.needs_review;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, props.page ?? 1), pages);

  const where = filter === 'all' ? eq(mappings.projectId, project.id) : and(eq(mappings.projectId, project.id), eq(mappings.status, 'needs_review'));
  const rows = await ctx.db.select().from(mappings).innerJoin(mailboxes, eq(mappings.sourceMailboxId, mailboxes.id))
    .where(where).orderBy(asc(mailboxes.address)).limit(pageSize).offset((page - 1) * pageSize);
  const destIds = rows.map((r) => r.mappings.destinationMailboxId).filter((id): id is string => id !== null);
  const dests = destIds.length ? await ctx.db.select().from(mailboxes).where(inArray(mailboxes.id, destIds)) : [];
  const allDestinations = await scannedMailboxes(ctx.db, project.id, scan.id, 'destination');
  const infos: MappingInfo[] = rows.map((r) => toMappingInfo(r.mappings, r.mailboxes,
    dests.find((d) => d.id === r.mappings.destinationMailboxId) ?? null, candidatesFor(r.mailboxes, allDestinations)));
  return { project: await toProjectInfo(ctx.db, project), filter, page, pageSize, total, counts: { ...counts, total: totalAll }, rows: infos };
}
