import { and, eq, or, sql } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { DbOrTx } from '../db/client.js';
import { projects } from '../db/schema.js';

export type ProjectRow = typeof projects.$inferSelect;

/** A project of the org by id or by name (case-insensitive); NOT_FOUND with a sentence otherwise. */
export async function findProject(db: DbOrTx, orgId: string, nameOrId: string): Promise<ProjectRow> {
  const key = nameOrId.trim();
  const [row] = await db.select().from(projects)
    .where(and(eq(projects.orgId, orgId), or(eq(projects.id, key), eq(sql`lower(${projects.name})`, key.toLowerCase()))))
    .limit(1);
  if (!row) throw new AppError('NOT_FOUND', `There is no project "${key}" here. See your projects with \`projects\` (chat) or \`npm run cli -- projects list\`.`);
  return row;
}
