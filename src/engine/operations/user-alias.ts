import { AppError } from '../../errors.js';
import type { EngineContext } from '../context.js';
import { aliasKey } from '../credits/hold-records.js';
import { settings } from '../db/schema.js';

/** How a chat platform addresses a user, kept so that cards can name approvers the platform's way (Teams MRIs). */
export async function saveUserAlias(ctx: EngineContext, props: { orgId: string; userId: string; alias: string }): Promise<void> {
  if (!props.userId || !props.alias || props.alias.length > 200) throw new AppError('BAD_INPUT', 'A user alias needs a user id and an alias of at most 200 characters.');
  if (props.alias === props.userId) return;
  await ctx.db.insert(settings).values({ key: aliasKey(props.orgId, props.userId), value: { alias: props.alias } })
    .onConflictDoUpdate({ target: settings.key, set: { value: { alias: props.alias } } });
}
