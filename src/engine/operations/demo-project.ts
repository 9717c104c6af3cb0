import { and, eq, sql } from 'drizzle-orm';
import type { Actor, ProjectInfo } from '../api.js';
import type { EngineContext } from '../context.js';
import { grantDemoCreditsOnce } from '../credits/demo-credits.js';
import { orgs, projects } from '../db/schema.js';
import { toProjectInfo } from '../records.js';
import { saveConnection } from './connection-save.js';
import { createProject } from './project-create.js';

/**
 * The sandbox "demo" project: 25 source mailboxes and 22 destination ones, so the match review
 * has work to show. Idempotent: an org that already has it gets it back.
 */
export async function ensureDemoProject(ctx: EngineContext, orgId: string, channelKey: string): Promise<ProjectInfo | null> {
  const [existing] = await ctx.db.select().from(projects).where(and(eq(projects.orgId, orgId), eq(sql`lower(${projects.name})`, 'demo')));
  if (existing && existing.sourcePlatform !== 'sandbox') return null;
  const operator: Actor = { orgId, userId: 'mailferry', userName: 'mailferry', platformAdmin: true };
  const project = existing ? await toProjectInfo(ctx.db, existing) : await createProject(ctx, operator, { name: 'demo', sourcePlatform: 'sandbox', destinationPlatform: 'sandbox', channelKey });
  // The Playground speaks as one user (Alex): let the launcher approve the demo's hold, or the tour stops at its approval
  // card. Set once, when the demo is created; `credits policy --self-approval false` turns it off.
  if (!existing) await ctx.db.update(orgs).set({ selfApproval: true }).where(eq(orgs.id, orgId));
  if (project.connections.length < 2) {
    await saveConnection(ctx, operator, { project: project.id, side: 'source', settings: { platform: 'sandbox', seed: 1, mailboxes: 25, messagesPerMailbox: 40, domain: 'contoso.example' } });
    await saveConnection(ctx, operator, { project: project.id, side: 'destination', settings: { platform: 'sandbox', seed: 1, mailboxes: 22, messagesPerMailbox: 0, domain: 'fabrikam.example' } });
  }
  await grantDemoCreditsOnce(ctx, orgId);
  const [row] = await ctx.db.select().from(projects).where(eq(projects.id, project.id));
  return row ? toProjectInfo(ctx.db, row) : null;
}
