import { and, eq } from 'drizzle-orm';
import type { StoredCard } from '../api.js';
import type { EngineContext } from '../context.js';
import { conversationRefs, postedCards } from '../db/schema.js';
import { newId } from '../ids.js';

/** Where to post proactively; the bot stores it on every message it sees. */
export async function saveConversationRef(ctx: EngineContext, props: { channelKey: string; orgId: string; platform: 'slack' | 'teams'; reference: Record<string, unknown> }): Promise<void> {
  await ctx.db.insert(conversationRefs).values({ ...props, updatedAt: ctx.now() })
    .onConflictDoUpdate({ target: conversationRefs.channelKey, set: { orgId: props.orgId, platform: props.platform, reference: props.reference, updatedAt: ctx.now() } });
}

export async function getConversationRef(ctx: EngineContext, channelKey: string) {
  const [row] = await ctx.db.select().from(conversationRefs).where(eq(conversationRefs.channelKey, channelKey));
  return row ? { orgId: row.orgId, platform: row.platform, reference: row.reference } : null;
}

export async function findCard(ctx: EngineContext, subject: string, channelKey: string): Promise<StoredCard | null> {
  const [row] = await ctx.db.select().from(postedCards).where(and(eq(postedCards.subject, subject), eq(postedCards.channelKey, channelKey)));
  return row ? { channelKey: row.channelKey, subject: row.subject, messageRef: row.messageRef } : null;
}

export async function saveCard(ctx: EngineContext, card: StoredCard): Promise<void> {
  await ctx.db.insert(postedCards).values({ id: newId('crd'), ...card, lastRenderedAt: ctx.now() })
    .onConflictDoUpdate({ target: [postedCards.subject, postedCards.channelKey], set: { messageRef: card.messageRef, lastRenderedAt: ctx.now() } });
}
