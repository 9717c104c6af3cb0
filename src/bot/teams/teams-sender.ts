import type { CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import type { View } from '../../cards/views.js';
import type { Engine } from '../../engine/index.js';
import { AppError } from '../../errors.js';
import type { ChatSender, MessageRef } from '../context.js';
import { cardActivity } from './teams-card.js';
import { withBackoff, type BackoffOptions } from './teams-retry.js';

/**
 * Proactive posts and edits (the notifier's living cards): continue the conversation from the
 * reference stored on the last turn in that channel.
 */
export class TeamsSender implements ChatSender {
  readonly platform = 'teams' as const;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly engine: Pick<Engine, 'getConversationRef'>,
    private readonly backoff: BackoffOptions = {},
  ) {}

  async post(channelKey: string, view: View, options: { threadOf?: string } = {}): Promise<MessageRef> {
    const reference = await this.referenceOf(channelKey);
    const inChannel = reference.conversation?.conversationType === 'channel';
    if (options.threadOf && inChannel && reference.conversation) {
      // A channel thread is addressed by the root message id in the conversation id.
      reference.conversation = { ...reference.conversation, id: `${reference.conversation.id};messageid=${options.threadOf}` };
    }
    // Chats have no threads: a reply to the card's activity (replyToActivity) keeps it attached to the card.
    const replyTo = options.threadOf && !inChannel ? options.threadOf : undefined;
    let messageId = '';
    await surfaceErrors((capture) =>
      this.adapter.continueConversationAsync(this.appId, reference, (turn) =>
        capture(async () => {
          asNewMessage(turn);
          const sent = await withBackoff(() => turn.sendActivity({ ...cardActivity(view), ...(replyTo ? { replyToId: replyTo } : {}) }), this.backoff);
          messageId = sent?.id ?? '';
        }),
      ),
    );
    return { channelKey, messageId };
  }

  async update(ref: MessageRef, view: View): Promise<void> {
    const reference = await this.referenceOf(ref.channelKey);
    await surfaceErrors((capture) =>
      this.adapter.continueConversationAsync(this.appId, reference, (turn) =>
        capture(() => withBackoff(() => turn.updateActivity({ ...cardActivity(view), id: ref.messageId }), this.backoff).then(() => undefined)),
      ),
    );
  }

  private async referenceOf(channelKey: string): Promise<Partial<ConversationReference> & { conversation?: ConversationReference['conversation'] }> {
    const stored = await this.engine.getConversationRef(channelKey);
    if (!stored || stored.platform !== 'teams') {
      throw new AppError('NOT_FOUND', 'mailferry has not been talked to in this Teams conversation yet, so it cannot post there. Mention @mailferry in the channel once, then try again.');
    }
    const reference = { ...(stored.reference as Partial<ConversationReference>) };
    // Proactive posts must not reply to the stored turn's activity, nor land in the thread that
    // turn happened in: a channel is addressed without `;messageid=` (post() adds it for threads).
    delete reference.activityId;
    if (reference.conversation) reference.conversation = { ...reference.conversation, id: reference.conversation.id.replace(/;messageid=.*$/, '') };
    return reference;
  }
}

/**
 * The adapter hands errors thrown inside a turn to onTurnError, which would swallow them for
 * proactive sends; capture them inside the turn and rethrow them to the caller instead.
 */
export async function surfaceErrors(run: (capture: (work: () => Promise<void>) => Promise<void>) => Promise<void>): Promise<void> {
  let failure: { error: unknown } | null = null;
  await run(async (work) => {
    try {
      await work();
    } catch (error) {
      failure = { error };
    }
  });
  if (failure) throw (failure as { error: unknown }).error;
}

/**
 * The adapter's synthetic continuation activity has an id, and botbuilder replies to the turn's
 * activity by default (replyToActivity with an id Teams never saw); a proactive post is a new
 * message in the conversation (sendToConversation).
 */
export function asNewMessage(turn: TurnContext): void {
  turn.activity.id = undefined as unknown as string;
}
