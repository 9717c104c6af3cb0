/**
 * What the launch card needs before a full run that creates missing destination users (issue 5):
 * which mappings will create a user, and the destination tenant's license SKUs with free seats.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Actor, CreateMissingPlan } from '../api.js';
import type { EngineContext } from '../context.js';
import { connections, mailboxes, mappings } from '../db/schema.js';
import { ADMIN_ONLY, authorize } from '../policies/roles.js';
import { decryptSettings } from '../secrets.js';
import { findProject } from './project-lookup.js';

export async function createMissingPlan(ctx: EngineContext, actor: Actor, props: { project: string }): Promise<CreateMissingPlan> {
  const project = await findProject(ctx.db, actor.orgId, props.project);
  await authorize(ctx, actor, ADMIN_ONLY, 'run.launch', project.id);
  const rows = await ctx.db.select({ source: mailboxes.address, destination: mappings.destinationAddress }).from(mappings)
    .innerJoin(mailboxes, eq(mappings.sourceMailboxId, mailboxes.id))
    .where(and(eq(mappings.projectId, project.id), inArray(mappings.status, ['create_missing']), isNull(mappings.destinationMailboxId)))
    .orderBy(mailboxes.address);
  const toCreate = rows.map((r) => ({ sourceAddress: r.source, destinationAddress: r.destination ?? r.source }));
  if (toCreate.length === 0) return { toCreate, skus: [], createsUsers: false };
  const [conn] = await ctx.db.select().from(connections).where(and(eq(connections.projectId, project.id), eq(connections.side, 'destination')));
  if (!conn) throw new AppError('NOT_CONNECTED', `${project.name} has no destination connection yet. Connect it first (\`connect ${project.name} destination\`).`);
  const connector = await ctx.connect(decryptSettings(conn.secret, ctx.secretKey));
  try {
    // Platforms that create mailboxes without licenses (the sandbox) need no choice.
    if (!connector.createMailbox || !connector.listLicenseSkus) return { toCreate, skus: [], createsUsers: false };
    const skus = await connector.listLicenseSkus();
    return { toCreate, skus: skus.sort((a, b) => b.available - a.available || a.name.localeCompare(b.name)), createsUsers: true };
  } finally {
    await connector.close().catch(() => undefined);
  }
}
