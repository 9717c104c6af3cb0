import { and, asc, eq } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import { ROLES, type Actor, type Role, type RoleEntry } from '../api.js';
import type { EngineContext } from '../context.js';
import type { DbOrTx } from '../db/client.js';
import { roles } from '../db/schema.js';
import { writeAudit } from '../policies/audit-writer.js';
import { ADMIN_ONLY, ANY_ROLE, authorize, ensureOrg } from '../policies/roles.js';

async function entries(db: DbOrTx, orgId: string): Promise<RoleEntry[]> {
  const rows = await db.select().from(roles).where(eq(roles.orgId, orgId)).orderBy(asc(roles.userId), asc(roles.role));
  return rows.map((r) => ({ userId: r.userId, role: r.role, grantedBy: r.grantedBy }));
}

function checkProps(props: { userId: string; role: Role }): { userId: string; role: Role } {
  const userId = props.userId.trim();
  if (!userId) throw new AppError('BAD_INPUT', 'Say whose role to change: give a user id.', { details: { field: 'userId' } });
  if (!ROLES.includes(props.role)) throw new AppError('BAD_INPUT', `"${props.role}" is not a role. Roles: ${ROLES.join(', ')}.`, { details: { field: 'role' } });
  return { userId, role: props.role };
}

export async function listRoles(ctx: EngineContext, actor: Actor): Promise<RoleEntry[]> {
  await authorize(ctx, actor, ANY_ROLE, 'roles.list');
  return entries(ctx.db, actor.orgId);
}

export async function grantRole(ctx: EngineContext, actor: Actor, props: { userId: string; role: Role }): Promise<RoleEntry[]> {
  const { userId, role } = checkProps(props);
  await ensureOrg(ctx.db, actor);
  await authorize(ctx, actor, ADMIN_ONLY, 'roles.grant');
  return ctx.db.transaction(async (tx) => {
    await tx.insert(roles).values({ orgId: actor.orgId, userId, role, grantedBy: actor.userId }).onConflictDoNothing();
    await writeAudit(tx, actor, { action: 'roles.grant', outcome: 'allowed', detail: { userId, role } });
    return entries(tx, actor.orgId);
  });
}

export async function revokeRole(ctx: EngineContext, actor: Actor, props: { userId: string; role: Role }): Promise<RoleEntry[]> {
  const { userId, role } = checkProps(props);
  await authorize(ctx, actor, ADMIN_ONLY, 'roles.revoke');
  return ctx.db.transaction(async (tx) => {
    await tx.delete(roles).where(and(eq(roles.orgId, actor.orgId), eq(roles.userId, userId), eq(roles.role, role)));
    await writeAudit(tx, actor, { action: 'roles.revoke', outcome: 'allowed', detail: { userId, role } });
    return entries(tx, actor.orgId);
  });
}
