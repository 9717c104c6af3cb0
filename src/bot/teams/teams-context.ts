import { TurnContext, type CloudAdapter, type ConversationParameters } from 'botbuilder';
import type { FormView, View } from '../../cards/views.js';
import type { ChatContext, ChatUpload, MessageRef } from '../context.js';
import type { Logger } from '../../log.js';
import { actorOf, channelOf, orgOf, tenantOf } from './teams-activity.js';
import { adaptiveCardOf, cardActivity, viewText } from './teams-card.js';
import { withBackoff } from './teams-retry.js';
import { asNewMessage, surfaceErrors, type TeamsSender } from './teams-sender.js';

/** What happened during an invoke turn: it decides the invoke response. */
export interface InvokeOutcome {
  card?: Record<string, unknown>;
  privateText?: string;
  /** The view behind privateText, delivered privately after all if a card answer follows. */
  privateView?: View;
  /** A new message was posted during the invoke (the response can say so). */
  posted: boolean;
}

export interface TeamsTurnDeps {
  adapter: CloudAdapter;
  appId: string;
  sender: TeamsSender;
  log: Logger;
  onPrivateChat?: (reference: Record<string, unknown>, channelKey: string) => Promise<void>;
}

const TO_CHANNEL_AUDIENCE = 'https://api.botframework.com';

/** The platform-neutral view of one Teams turn; an invoke collects its answer in `outcome`. */
export function createTeamsContext(turn: TurnContext, deps: TeamsTurnDeps, uploads: ChatUpload[]): { ctx: ChatContext; outcome: InvokeOutcome } {
  const activity = turn.activity;
  const isInvoke = activity.type === 'invoke';
  const outcome: InvokeOutcome = { posted: false };
  const channel = channelOf(activity);

  const reply = async (view: View): Promise<MessageRef> => {
    const sent = await withBackoff(() => turn.sendActivity(cardActivity(view)));
    outcome.posted = true;
    return { channelKey: channel.key, messageId: sent?.id ?? '' };
  };

  const sendPrivately = async (view: View): Promise<void> => {
    if (channel.direct) {
      await withBackoff(() => turn.sendActivity(cardActivity(view)));
      return;
    }
    await openPrivateChat(turn, deps, view);
  };

  /** The card becomes the invoke response; a private answer given before it must still reach the user. */
  const answerInvoke = async (view: View): Promise<void> => {
    outcome.card = adaptiveCardOf(view);
    const earlier = outcome.privateView;
    if (!earlier) return;
    outcome.privateText = undefined;
    outcome.privateView = undefined;
    await sendPrivately(earlier);
  };

  const ctx: ChatContext = {
    platform: 'teams',
    org: orgOf(activity),
    actor: actorOf(activity),
    channel,
    reply,
    async replyPrivately(view) {
      // During an invoke the clicker alone sees the invoke response; the card stays as it was.
      if (isInvoke && outcome.privateText === undefined && outcome.card === undefined) {
        outcome.privateText = viewText(view);
        outcome.privateView = view;
        return;
      }
      await sendPrivately(view);
    },
    async update(ref, view) {
      if (ref.channelKey !== channel.key) return deps.sender.update(ref, view);
      const next = { ...cardActivity(view), id: ref.messageId };
      await withBackoff(() => turn.updateActivity(next));
    },
    async openForm(form: FormView) {
      if (isInvoke) await answerInvoke(form);
      else await reply(form);
    },
    async respond(view) {
      if (isInvoke) await answerInvoke(view);
      else await reply(view);
    },
    ...(uploads.length ? { uploads } : {}),
  };
  return { ctx, outcome };
}

/**
 * A private answer asked for in a channel: a 1:1 chat with the user, created through the
 * connector with the tenant of the turn. Nothing private is ever posted in the channel.
 */
async function openPrivateChat(turn: TurnContext, deps: TeamsTurnDeps, view: View): Promise<void> {
  const activity = turn.activity;
  const tenantId = tenantOf(activity);
  const params = {
    isGroup: false,
    bot: activity.recipient,
    members: [{ id: activity.from.id, name: activity.from.name }],
    tenantId,
    channelData: { tenant: { id: tenantId } },
  } as ConversationParameters;
  await withBackoff(() =>
    surfaceErrors((capture) =>
      deps.adapter.createConversationAsync(deps.appId, activity.channelId, activity.serviceUrl, TO_CHANNEL_AUDIENCE, params, (privateTurn) =>
        capture(async () => {
          asNewMessage(privateTurn);
          await privateTurn.sendActivity(cardActivity(view));
          const reference = TurnContext.getConversationReference(privateTurn.activity) as unknown as Record<string, unknown>;
          await deps.onPrivateChat?.(reference, channelOf(privateTurn.activity).key);
        }),
      ),
    ),
  );
}
