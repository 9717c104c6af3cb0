import { and, eq } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Actor, Role } from '../api.js';
import type { EngineContext } from '../context.js';
import type { DbOrTx } from '../db/client.js';
import { orgs, roles } from '../db/schema.js';
import { writeAudit } from './audit-writer.js';

export const ANY_ROLE: readonly Role[] = ['admin', 'approver', 'helpdesk'];
export const ADMIN_ONLY: readonly Role[] = ['admin'];

/** Orgs are created the first time someone from them is seen. */
export async function ensureOrg(db: DbOrTx, actor: Actor): Promise<void> {
  await db.insert(orgs).values({ id: actor.orgId, name: actor.orgName ?? actor.orgId }).onConflictDoNothing();
}

/** Stored roles plus admin for operators (MAILFERRY_ADMINS) and platform admins. */
export async function rolesOf(ctx: EngineContext, actor: Actor): Promise<Role[]> {
  await ensureOrg(ctx.db, actor);
  const rows = await ctx.db.select({ role: roles.role }).from(roles)
    .where(and(eq(roles.orgId, actor.orgId), eq(roles.userId, actor.userId)));
  const result = new Set<Role>(rows.map((r) => r.role));
  if (actor.platformAdmin || ctx.options.admins.includes(actor.userId)) result.add('admin');
  return ANY_ROLE.filter((r) => result.has(r));
}

/** Throws FORBIDDEN, with the roles that would do, and records the refusal. */
export async function authorize(ctx: EngineContext, actor: Actor, allowed: readonly Role[], action: string, projectId?: string): Promise<void> {
  const yourRoles = await rolesOf(ctx, actor);
  if (yourRoles.some((r) => allowed.includes(r))) return;
  await writeAudit(ctx.db, actor, { action, outcome: 'denied', projectId, detail: { allowedRoles: [...allowed], yourRoles } });
  const need = allowed.length === 1 ? `the ${allowed[0]} role` : `one of the roles ${allowed.join(', ')}`;
  throw new AppError('FORBIDDEN', `You need ${need} for this (${action}). Ask an admin of this workspace to grant it (\`roles add\` in chat, or \`npm run cli -- roles add\`).`, {
    details: { allowedRoles: [...allowed], yourRoles },
  });
}
