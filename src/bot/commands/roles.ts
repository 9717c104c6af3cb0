import type { Role } from '../../engine/index.js';
import { ROLES } from '../../engine/index.js';
import type { Command } from './types.js';
import { usageError } from './types.js';
import { presentRoles, mention } from '../presenters/roles.js';

/** `<@U123>` (adapters normalise mentions to this), `<@U123|name>`, `@U123` or a bare id. */
export function parseUser(word: string): string | null {
  const m = /^<@([^>|]+)(?:\|[^>]*)?>$/.exec(word) ?? /^@?([\w:.-]+)$/.exec(word);
  return m?.[1] ?? null;
}

export const rolesCommand: Command = {
  name: 'roles',
  usage: 'roles [add|remove @user admin|approver|helpdesk]',
  description: 'Who may do what here; admins grant and revoke roles.',
  roles: ['admin'],
  async run(ctx, args, { engine, actor }) {
    if (args.length === 0) {
      await ctx.reply(presentRoles(await engine.listRoles(actor), ctx.platform));
      return;
    }
    const [verb, userWord, roleWord, ...rest] = args;
    const op = verb?.toLowerCase();
    if ((op !== 'add' && op !== 'remove') || !userWord || !roleWord || rest.length) {
      throw usageError(this, 'Say roles, roles add @user <role> or roles remove @user <role>.');
    }
    const userId = parseUser(userWord);
    if (!userId) throw usageError(this, `“${userWord}” is not a user; mention them with @.`);
    const role = roleWord.toLowerCase() as Role;
    if (!ROLES.includes(role)) throw usageError(this, `“${roleWord}” is not a role; roles are ${ROLES.join(', ')}.`);
    const entries = op === 'add' ? await engine.grantRole(actor, { userId, role }) : await engine.revokeRole(actor, { userId, role });
    const who = mention(ctx.platform, userId);
    const notice = op === 'add' ? `${who} is now ${role} (by ${actor.userName}).` : `${who} is no longer ${role} (by ${actor.userName}).`;
    await ctx.reply(presentRoles(entries, ctx.platform, notice));
  },
};
