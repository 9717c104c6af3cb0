/**
 * Channel subscriptions to a project's progress, health and the org's credits: a channel other
 * than the project's own can follow it. One row per project and channel; subscribing again replaces the topics.
 */
import { and, asc, eq } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Actor, SubscriptionInfo, SubscriptionTopic } from '../api.js';
import type { EngineContext } from '../context.js';
import { projects, subscriptions } from '../db/schema.js';
import { writeAudit } from '../policies/audit-writer.js';
import { ADMIN_ONLY, authorize } from '../policies/roles.js';
import { findProject } from './project-lookup.js';

const TOPICS: readonly SubscriptionTopic[] = ['progress', 'health', 'credits'];

function checkTopics(topics: SubscriptionTopic[] | undefined): SubscriptionTopic[] {
  if (!topics || topics.length === 0) return [...TOPICS];
  const wrong = topics.find((t) => !TOPICS.includes(t));
  if (wrong) throw new AppError('BAD_INPUT', `"${String(wrong)}" is not a topic; subscribe to ${TOPICS.join(', ')} (or leave it out for all three).`);
  return TOPICS.filter((t) => topics.includes(t));
}

function checkChannel(channelKey: string): string {
  const key = (channelKey ?? '').trim();
  if (!key) throw new AppError('BAD_INPUT', 'Subscribe from the channel that should receive the updates.');
  return key;
}

export async function subscribe(ctx: EngineContext, actor: Actor, props: { project: string; channelKey: string; topics: SubscriptionTopic[] }): Promise<SubscriptionInfo> {
  const project = await findProject(ctx.db, actor.orgId, props.project);
  await authorize(ctx, actor, ADMIN_ONLY, 'subscription.add', project.id);
  const topics = checkTopics(props.topics);
  const channelKey = checkChannel(props.channelKey);
  await ctx.db.transaction(async (tx) => {
    await tx.insert(subscriptions).values({ projectId: project.id, channelKey, orgId: actor.orgId, topics, createdBy: actor.userId })
      .onConflictDoUpdate({ target: [subscriptions.projectId, subscriptions.channelKey], set: { topics } });
    await writeAudit(tx, actor, { action: 'subscription.add', outcome: 'allowed', projectId: project.id, detail: { channelKey, topics } });
  });
  return { channelKey, projectId: project.id, projectName: project.name, topics };
}

export async function unsubscribe(ctx: EngineContext, actor: Actor, props: { project: string; channelKey: string }): Promise<void> {
  const project = await findProject(ctx.db, actor.orgId, props.project);
  await authorize(ctx, actor, ADMIN_ONLY, 'subscription.remove', project.id);
  const channelKey = checkChannel(props.channelKey);
  const removed = await ctx.db.delete(subscriptions).where(and(eq(subscriptions.projectId, project.id), eq(subscriptions.channelKey, channelKey))).returning();
  if (removed.length === 0) throw new AppError('NOT_FOUND', `This channel is not subscribed to ${project.name}.`);
  await writeAudit(ctx.db, actor, { action: 'subscription.remove', outcome: 'allowed', projectId: project.id, detail: { channelKey } });
}

/** Channels subscribed to a topic: of one project, or for credits of any project of the org. */
export async function subscribers(ctx: EngineContext, props: { orgId: string; topic: SubscriptionTopic; projectId?: string }): Promise<SubscriptionInfo[]> {
  const scope = props.topic === 'credits' || !props.projectId
    ? eq(subscriptions.orgId, props.orgId)
    : and(eq(subscriptions.orgId, props.orgId), eq(subscriptions.projectId, props.projectId));
  const rows = await ctx.db.select({ s: subscriptions, name: projects.name }).from(subscriptions).innerJoin(projects, eq(projects.id, subscriptions.projectId))
    .where(scope).orderBy(asc(subscriptions.channelKey));
  const seen = new Set<string>();
  const out: SubscriptionInfo[] = [];
  for (const { s, name } of rows) {
    const topics = s.topics as SubscriptionTopic[];
    if (!topics.includes(props.topic)) continue;
    // A channel following the credits of several projects hears each credit change once.
    if (props.topic === 'credits') {
      if (seen.has(s.channelKey)) continue;
      seen.add(s.channelKey);
    }
    out.push({ channelKey: s.channelKey, projectId: s.projectId, projectName: name, topics });
  }
  return out;
}
