import { userInfo } from 'node:os';
import { asc, count, eq } from 'drizzle-orm';
import { AppError } from '../errors.js';
import type { Actor, CreditPolicy, CreditsInfo, ProjectInfo, Role, RoleEntry } from './api.js';
import type { EngineContext } from './context.js';
import { openStore } from './db/client.js';
import { orgs, projects, roles } from './db/schema.js';
import { creditsInfo, exportLedgerCsv, grantCredits, setCreditPolicy } from './operations/credits.js';
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
  /** NOT_FOUND naming the known orgs unless the org exists (`local` is created on first use). */
  requireOrg(orgId: string): Promise<void>;
  credits(orgId: string): Promise<CreditsInfo>;
  grantCredits(orgId: string, amount: number, reason: string): Promise<CreditsInfo>;
  exportLedgerCsv(orgId: string): Promise<string>;
  setCreditPolicy(orgId: string, change: Partial<CreditPolicy>): Promise<CreditPolicy>;
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
  /** The org must exist: a typo in --org should not create a new one (`local`, the CLI's own org, is made on first use). */
  const actorFor = async (orgId: string): Promise<Actor> => {
    if (orgId === 'local') await ctx.db.insert(orgs).values({ id: 'local', name: 'local' }).onConflictDoNothing();
    const [org] = await ctx.db.select().from(orgs).where(eq(orgs.id, orgId));
    if (!org) {
      const known = (await ctx.db.select({ id: orgs.id }).from(orgs).orderBy(asc(orgs.id)).limit(20)).map((o) => o.id);
      throw new AppError('NOT_FOUND', `There is no org named "${orgId}". ${known.length ? `Known orgs: ${known.join(', ')}.` : 'mailferry has seen no org yet.'} Orgs are \`local\`, \`slack:<team id>\` or \`teams:<tenant id>\`; \`orgs list\` shows them all.`, { details: { known } });
    }
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
    requireOrg: async (orgId) => { await actorFor(orgId); },
    credits: async (orgId) => creditsInfo(ctx, await actorFor(orgId)),
    grantCredits: async (orgId, amount, reason) => grantCredits(ctx, await actorFor(orgId), { amount, reason }),
    exportLedgerCsv: async (orgId) => exportLedgerCsv(ctx, await actorFor(orgId)),
    setCreditPolicy: async (orgId, change) => setCreditPolicy(ctx, await actorFor(orgId), change),
    close: () => store.close(),
  };
}
