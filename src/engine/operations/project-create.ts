import { AppError } from '../../errors.js';
import type { Actor, ProjectInfo } from '../api.js';
import { requireAvailablePlatform } from '../connection-forms.js';
import type { EngineContext } from '../context.js';
import { isUniqueViolation } from '../db/errors.js';
import { projects } from '../db/schema.js';
import { newId } from '../ids.js';
import { writeAudit } from '../policies/audit-writer.js';
import { ADMIN_ONLY, authorize, ensureOrg } from '../policies/roles.js';
import { toProjectInfo } from '../records.js';

export interface CreateProjectProps { name: string; sourcePlatform: string; destinationPlatform: string; channelKey: string }

const NAME = /^[\p{L}\p{N} ._-]{1,60}$/u;

export async function createProject(ctx: EngineContext, actor: Actor, props: CreateProjectProps): Promise<ProjectInfo> {
  await ensureOrg(ctx.db, actor);
  await authorize(ctx, actor, ADMIN_ONLY, 'project.create');
  const name = props.name.trim();
  if (!NAME.test(name)) {
    throw new AppError('BAD_INPUT', 'A project name is 1 to 60 letters, digits, spaces, dots, dashes or underscores.', { details: { field: 'name' } });
  }
  const sourcePlatform = requireAvailablePlatform(props.sourcePlatform, 'source');
  const destinationPlatform = requireAvailablePlatform(props.destinationPlatform, 'destination');
  try {
    return await ctx.db.transaction(async (tx) => {
      const [row] = await tx.insert(projects).values({
        id: newId('prj'), orgId: actor.orgId, name, sourcePlatform, destinationPlatform, channelKey: props.channelKey, createdBy: actor.userId,
      }).returning();
      if (!row) throw new Error('insert returned no row');
      await writeAudit(tx, actor, { action: 'project.create', outcome: 'allowed', projectId: row.id, detail: { name, sourcePlatform, destinationPlatform } });
      return toProjectInfo(tx, row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('CONFLICT', `A project named "${name}" already exists in this workspace. Pick another name, or keep using the existing one.`, { details: { field: 'name' } });
    }
    throw error;
  }
}
