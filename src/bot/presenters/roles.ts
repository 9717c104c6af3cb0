import type { RoleEntry } from '../../engine/index.js';
import type { RolesView } from '../../cards/views.js';

export const ROLES_USAGE = 'roles add @user admin|approver|helpdesk · roles remove @user <role>';

/** Slack renders `<@U…>` as a mention; Teams has no inline syntax for it, so the id shows as is. */
export function mention(platform: 'slack' | 'teams', userId: string): string {
  return platform === 'slack' && !userId.startsWith('<@') ? `<@${userId}>` : userId;
}

export function presentRoles(entries: RoleEntry[], platform: 'slack' | 'teams', notice?: string): RolesView {
  const sorted = [...entries].sort((a, b) => a.role.localeCompare(b.role) || a.userId.localeCompare(b.userId));
  return {
    kind: 'roles',
    entries: sorted.map((e) => ({ user: mention(platform, e.userId), role: e.role, grantedBy: mention(platform, e.grantedBy) })),
    usage: ROLES_USAGE,
    ...(notice ? { notice } : {}),
  };
}
