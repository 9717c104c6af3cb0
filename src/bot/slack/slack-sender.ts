/**
 * Proactive Slack sends for the notifier: post into a channel we were talked to in, or edit a
 * living card. 429s are waited out inside SlackWeb while they fit its 30 s budget; past it the
 * notifier gets AppError THROTTLED with retryAfterMs, so it can coalesce and try later without losing the state.
 */
import type { View } from '../../cards/views.js';
import { AppError } from '../../errors.js';
import type { ChatSender, MessageRef } from '../context.js';
import { renderSlackMessage } from './slack-cards.js';
import { parseSlackChannelKey, slackChannelKey } from './slack-keys.js';
import type { SlackWeb } from './slack-web.js';

function channelOf(channelKey: string): { teamId: string; channelId: string } {
  const parsed = parseSlackChannelKey(channelKey);
  if (!parsed) throw new AppError('BAD_INPUT', `“${channelKey}” is not a Slack channel key.`);
  return parsed;
}

export function createSlackSender(web: SlackWeb): ChatSender {
  return {
    platform: 'slack',
    async post(channelKey: string, view: View, options?: { threadOf?: string }): Promise<MessageRef> {
      const { teamId, channelId } = channelOf(channelKey);
      const result = await web.call('chat.postMessage', {
        channel: channelId,
        ...renderSlackMessage(view),
        ...(options?.threadOf ? { thread_ts: options.threadOf } : {}),
      });
      return { channelKey: slackChannelKey(teamId, String(result.channel ?? channelId)), messageId: String(result.ts) };
    },
    async update(ref: MessageRef, view: View): Promise<void> {
      const { channelId } = channelOf(ref.channelKey);
      await web.call('chat.update', { channel: channelId, ts: ref.messageId, ...renderSlackMessage(view) });
    },
  };
}
