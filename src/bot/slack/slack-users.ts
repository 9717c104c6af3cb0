/**
 * Who is talking: name and whether Slack says they are a workspace owner/admin (DESIGN §4 makes
 * those mailferry admins). users.info is Tier 4 but called on every turn, so answers are cached
 * for five minutes; a failed lookup degrades to "not an admin" rather than blocking the turn.
 */
import type { Logger } from '../../log.js';
import type { SlackWeb } from './slack-web.js';

export interface SlackUserInfo {
  name: string;
  platformAdmin: boolean;
}

const TTL_MS = 5 * 60_000;

export class SlackUserDirectory {
  private readonly cache = new Map<string, { at: number; info: SlackUserInfo }>();

  constructor(private readonly web: SlackWeb, private readonly log: Logger, private readonly now: () => number = Date.now) {}

  async lookup(teamId: string, userId: string, fallbackName: string): Promise<SlackUserInfo> {
    const key = `${teamId}:${userId}`;
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < TTL_MS) return hit.info;
    try {
      const result = await this.web.call('users.info', { user: userId });
      const user = (result.user ?? {}) as { name?: string; real_name?: string; is_admin?: boolean; is_owner?: boolean; profile?: { display_name?: string; real_name?: string } };
      const info = {
        name: user.profile?.real_name || user.real_name || user.profile?.display_name || user.name || fallbackName,
        platformAdmin: Boolean(user.is_admin || user.is_owner),
      };
      this.cache.set(key, { at: this.now(), info });
      return info;
    } catch (error) {
      this.log.warn({ userId, err: error instanceof Error ? error.message : String(error) }, 'slack users.info failed; treating user as non-admin');
      return { name: fallbackName, platformAdmin: false };
    }
  }
}
