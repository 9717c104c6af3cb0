import type { ChatPlatform, MessageRef } from './context.js';

/** How the notifier files cards: subjects and stored message refs. */

export function cardSubject(runId: string): string {
  return `run:${runId}`;
}

/**
 * A stored card's messageRef is the message id, or, when the card sits in another channel than
 * the one it is filed under, JSON carrying that channel too.
 */
export function encodeCardRef(ref: MessageRef): string {
  return JSON.stringify({ channelKey: ref.channelKey, messageId: ref.messageId });
}

export function decodeCardRef(channelKey: string, messageRef: string): MessageRef {
  if (messageRef.startsWith('{')) {
    try {
      const parsed = JSON.parse(messageRef) as Partial<MessageRef>;
      if (typeof parsed.channelKey === 'string' && typeof parsed.messageId === 'string') return { channelKey: parsed.channelKey, messageId: parsed.messageId };
    } catch {
      // Not ours: a platform id that happens to start with a brace.
    }
  }
  return { channelKey, messageId: messageRef };
}

export function platformOf(channelKey: string): ChatPlatform | null {
  if (channelKey.startsWith('slack:')) return 'slack';
  if (channelKey.startsWith('teams:')) return 'teams';
  return null;
}

