import { AppError } from '../../errors.js';
import type { Actor, ConnectionInfo, Side } from '../api.js';
import { summarize } from '../connection-forms.js';
import type { ConnectionSettings } from '../connectors/types.js';
import type { EngineContext } from '../context.js';
import { connections } from '../db/schema.js';
import { newId } from '../ids.js';
import { writeAudit } from '../policies/audit-writer.js';
import { ADMIN_ONLY, authorize } from '../policies/roles.js';
import { encryptSettings } from '../secrets.js';
import { findProject } from './project-lookup.js';

export interface SaveConnectionProps { project: string; side: Side; settings: ConnectionSettings }

/** Validates against the platform first: an invalid connection saves nothing. */
export async function saveConnection(ctx: EngineContext, actor: Actor, props: SaveConnectionProps): Promise<ConnectionInfo> {
  const project = await findProject(ctx.db, actor.orgId, props.project);
  await authorize(ctx, actor, ADMIN_ONLY, 'connection.save', project.id);
  const expected = props.side === 'source' ? project.sourcePlatform : project.destinationPlatform;
  if (props.settings.platform !== expected) {
    throw new AppError('BAD_INPUT', `The ${props.side} of ${project.name} is ${expected}, not ${props.settings.platform}.`, { details: { field: 'platform' } });
  }
  const connector = await ctx.connect(props.settings);
  let result;
  try {
    result = await connector.validate();
  } finally {
    await connector.close().catch(() => undefined);
  }
  const summary = summarize(props.settings);
  if (!result.ok) {
    // Problems tied to a mailbox are sign-in problems; one without an address is the platform itself (unreachable, misconfigured).
    const authProblem = result.problems.length > 0 && result.problems.every((p) => p.address);
    await writeAudit(ctx.db, actor, { action: 'connection.save', outcome: 'failed', projectId: project.id, detail: { side: props.side, summary, problems: result.problems } });
    throw new AppError(authProblem ? 'AUTH_FAILED' : 'CONNECTION_FAILED', `${result.summary} Nothing was saved; fix the ${props.side} details and try again.`, {
      details: { problems: result.problems },
    });
  }
  const now = ctx.now();
  const secret = encryptSettings(props.settings, ctx.secretKey);
  return ctx.db.transaction(async (tx) => {
    const values = { platform: props.settings.platform, secret, summary, status: 'valid' as const, validatedAt: now, updatedAt: now };
    await tx.insert(connections).values({ id: newId('con'), projectId: project.id, side: props.side, ...values })
      .onConflictDoUpdate({ target: [connections.projectId, connections.side], set: values });
    await writeAudit(tx, actor, { action: 'connection.save', outcome: 'allowed', projectId: project.id, detail: { side: props.side, summary } });
    return { side: props.side, platform: props.settings.platform, status: 'valid', summary, validatedAt: now.toISOString() };
  });
}
