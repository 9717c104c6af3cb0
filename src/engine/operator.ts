import { userInfo } from 'node:os';
import { asc, count, eq } from 'drizzle-orm';
import { AppError } from '../errors.js';
import type { Actor, ProjectInfo, Role, RoleEntry } from './api.js';
import type { EngineContext } from './context.js';
import { openStore } from './db/client.js';
import { orgs, projects, roles } from './db/schema.js';
import { listProjects } from './operations/project-read.js';
import { grantRole, listRoles, revokeRole } from './operations/role-change.js';

export interface OrgEntry { id: string; name: string; projects: number; roles: number; createdAt: string }

/** What the operator CLI does: store only (no Redis, no key), acting as an admin of any org. */
export interface Operator {
  listOrgs(): Promise<OrgEntry[]>;
  listRoles(orgId: string): Promise<RoleEntry[]>;
  grantRole(orgId: string, userId: string, role: Role): Promise<RoleEntry[]>;
  revokeRole(orgId: string, userId: string, role: Role): Promise<RoleEntry[]>;
  listProjects(orgId: string): Promise<ProjectInfo[]>;
  close(): Promise<void>;
}

export async function openOperator(props: { databaseUrl?: string; dataDir: string }): Promise<Operator> {
  const store = await openStore(props);
  const quiet = { info() {}, warn() {}, error() {} };
  const ctx: EngineContext = {
    store, db: store.db, options: { ...props, redisUrl: '', queuePrefix: '', secretKey: '', admins: [] }, secretKey: '', log: quiet, now: () => new Date(),
    enqueue: () => Promise.reject(new AppError('UNSUPPORTED', 'The operator CLI does not queue work; use chat for scans and runs.')),
    publish: async () => {},
    // The operator never runs jobs: no queues, no connectors.
    get runtime(): never { throw new AppError('UNSUPPORTED', 'The operator CLI does not queue work; use chat or `project launch` for runs.'); },
    connect: () => Promise.reject(new AppError('UNSUPPORTED', 'The operator CLI does not open connections.')),
  };
  const operatorId = `cli:${userInfo().username}`;
  /** The org must exist: a typo in --org should not create a new one. */
  const actorFor = async (orgId: string): Promise<Actor> => {
    const [org] = await ctx.db.select().from(orgs).where(eq(orgs.id, orgId));
    if (!org) throw new AppError('NOT_FOUND', `There is no org "${orgId}"; \`orgs list\` shows the orgs mailferry has seen.`);
    return { orgId, orgName: org.name, userId: operatorId, userName: operatorId, platformAdmin: true };
  };
  return {
    async listOrgs() {
      const rows = await ctx.db.select().from(orgs).orderBy(asc(orgs.id));
      const result: OrgEntry[] = [];
      for (const org of rows) {
        const [p] = await ctx.db.select({ n: count() }).from(projects).where(eq(projects.orgId, org.id));
        const [r] = await ctx.db.select({ n: count() }).from(roles).where(eq(roles.orgId, org.id));
        result.push({ id: org.id, name: org.name, projects: p?.n ?? 0, roles: r?.n ?? 0, createdAt: org.createdAt.toISOString() });
      }
      return result;
    },
    listRoles: async (orgId) => listRoles(ctx, await actorFor(orgId)),
    grantRole: async (orgId, userId, role) => grantRole(ctx, await actorFor(orgId), { userId, role }),
    revokeRole: async (orgId, userId, role) => revokeRole(ctx, await actorFor(orgId), { userId, role }),
    listProjects: async (orgId) => listProjects(ctx, await actorFor(orgId)),
    close: () => store.close(),
  };
}
