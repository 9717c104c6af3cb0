/**
 * Bolt listeners: every request is acknowledged first (Slack gives 3 s), then turned into a
 * SlackTurn and handed to the platform-neutral dispatcher. Nothing here decides what a command
 * does; it only translates Slack's payload shapes.
 */
import type { App, BlockAction, SlashCommand, ViewResponseAction, ViewSubmitAction, types } from '@slack/bolt';
import type { Engine } from '../../engine/index.js';
import { toAppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ChatContext, Dispatcher } from '../context.js';
import { slackUploads } from './slack-files.js';
import { decodeSlackAction, readSlackModalSubmission, type SlackActionInput, type SlackStateValue } from './slack-cards.js';
import { createSlackContext, type PendingSubmitAck, type SlackTurn } from './slack-context.js';
import { normaliseMentions, slackChannelKey, slackOrgId, stripBotMention } from './slack-keys.js';
import { unwrapModalMetadata } from './slack-modal-envelope.js';
import type { SlackUserDirectory } from './slack-users.js';
import type { SlackWeb } from './slack-web.js';

export interface SlackHandlerDeps {
  web: SlackWeb;
  users: SlackUserDirectory;
  engine: Engine;
  dispatcher: Dispatcher;
  log: Logger;
}

type ModalView = types.ModalView;
type TurnInput = Omit<SlackTurn, 'userName' | 'platformAdmin'> & { fallbackName: string };

export function registerSlackHandlers(bolt: App, deps: SlackHandlerDeps): void {
  const { log } = deps;

  // Any command name: a workspace may install the app under another name (/migrate-dev).
  bolt.command(/^\/.+/, async ({ command, ack }) => {
    await ack();
    await runTurn(deps, commandTurn(command), (ctx) => deps.dispatcher.command(ctx, normaliseMentions(command.text ?? '').trim()));
  });

  bolt.action({ type: 'block_actions' }, async ({ ack, body, action }) => {
    await ack();
    const element = action as SlackActionInput & { type?: string; block_id?: string; url?: string };
    // Link buttons open their URL in the browser; Slack still tells us, and nothing needs doing.
    if (element.type === 'button' && element.url && !element.value) return;
    const decoded = decodeSlackAction(element, element.block_id);
    await runTurn(deps, actionTurn(body as BlockAction), (ctx) => deps.dispatcher.action(ctx, decoded.verb, decoded.data));
  });

  bolt.view({ type: 'view_submission', callback_id: /.*/ }, async ({ ack, body, view }) => {
    const pending = submitAck(ack as (response?: ViewResponseAction) => Promise<void>, view.callback_id);
    const submit = body as ViewSubmitAction;
    const { channelId, metadata } = unwrapModalMetadata(view.private_metadata);
    const { verb, data } = readSlackModalSubmission({
      callback_id: view.callback_id,
      private_metadata: metadata,
      state: view.state as { values: Record<string, Record<string, SlackStateValue>> },
    });
    const turn: TurnInput = {
      kind: 'submission', teamId: submit.team?.id ?? submit.user.team_id ?? '', teamName: submit.team?.domain ?? '',
      userId: submit.user.id, fallbackName: submit.user.name, channelId, triggerId: submit.trigger_id,
    };
    try {
      await runTurn(deps, turn, (ctx) => deps.dispatcher.action(ctx, verb, data), pending);
    } finally {
      await pending.close();
    }
  });

  bolt.event('app_mention', async ({ event, body, context }) => {
    if (event.bot_id) return;
    const text = stripBotMention(event.text ?? '', context.botUserId);
    const turn: TurnInput = {
      kind: 'message', teamId: (body as { team_id?: string }).team_id ?? event.team ?? '', teamName: '',
      userId: event.user ?? '', fallbackName: event.user ?? '', channelId: event.channel, threadTs: event.thread_ts,
      // A file shared with the mention ("@mailferry match acme import" + mapping.csv); Bolt's type lacks `files`.
      uploads: slackUploads((event as { files?: unknown }).files, deps.web),
    };
    await runTurn(deps, turn, (ctx) => deps.dispatcher.command(ctx, text));
  });

  bolt.event('message', async ({ event, body, context }) => {
    const message = event as { channel_type?: string; subtype?: string; bot_id?: string; user?: string; text?: string; channel: string; team?: string; files?: unknown };
    // Only direct messages: channel messages reach us as app_mention. Skip edits, joins and bots;
    // a message with a file (subtype file_share) is a command with an upload.
    if (message.channel_type !== 'im' || (message.subtype && message.subtype !== 'file_share') || message.bot_id || !message.user) return;
    const turn: TurnInput = {
      kind: 'message', teamId: (body as { team_id?: string }).team_id ?? message.team ?? '', teamName: '',
      userId: message.user, fallbackName: message.user, channelId: message.channel,
      uploads: slackUploads(message.files, deps.web),
    };
    await runTurn(deps, turn, (ctx) => deps.dispatcher.command(ctx, stripBotMention(message.text ?? '', context.botUserId)));
  });

  bolt.error(async (error) => {
    log.error({ code: (error as { code?: string }).code, err: error.message }, 'slack listener failed');
  });
}

/** How long a modal submit may wait for a quick answer (a form with errors) before closing: well under Slack's 3 s. */
const SUBMIT_ACK_DEADLINE_MS = 700;

/** Acks a view_submission exactly once: with the form shown again, or plainly (closing the modal). */
function submitAck(ack: (response?: ViewResponseAction) => Promise<void>, callbackId: string): PendingSubmitAck {
  let sent = false;
  const send = async (response?: ViewResponseAction): Promise<boolean> => {
    if (sent) return false;
    sent = true;
    clearTimeout(timer);
    await ack(response);
    return true;
  };
  const timer = setTimeout(() => void send().catch(() => undefined), SUBMIT_ACK_DEADLINE_MS);
  return {
    showForm: (modal, errors) =>
      modal.callback_id === callbackId && Object.keys(errors).length > 0
        ? send({ response_action: 'errors', errors })
        : send({ response_action: 'update', view: modal as unknown as ModalView }),
    close: async () => {
      await send();
    },
  };
}

function commandTurn(command: SlashCommand): TurnInput {
  return {
    kind: 'command', teamId: command.team_id, teamName: command.team_domain, userId: command.user_id, fallbackName: command.user_name,
    channelId: command.channel_id, triggerId: command.trigger_id, responseUrl: command.response_url,
  };
}

function actionTurn(body: BlockAction): TurnInput {
  const container = (body.container ?? {}) as { message_ts?: string; channel_id?: string; is_ephemeral?: boolean };
  const channelId = container.channel_id ?? body.channel?.id;
  const ts = container.message_ts ?? body.message?.ts;
  return {
    kind: 'action', teamId: body.team?.id ?? body.user.team_id ?? '', teamName: body.team?.domain ?? '',
    userId: body.user.id, fallbackName: body.user.name ?? body.user.username, channelId,
    triggerId: body.trigger_id, responseUrl: body.response_url,
    source: channelId && ts ? { channelId, ts, ephemeral: Boolean(container.is_ephemeral) } : undefined,
  };
}

/** Builds the context (who is talking, cached), stores the conversation reference, runs the work. */
async function runTurn(deps: SlackHandlerDeps, input: TurnInput, work: (ctx: ChatContext) => Promise<void>, pendingAck?: PendingSubmitAck): Promise<void> {
  const { fallbackName, ...rest } = input;
  const user = await deps.users.lookup(input.teamId, input.userId, fallbackName);
  const ctx = createSlackContext({ ...rest, teamName: rest.teamName || rest.teamId, userName: user.name, platformAdmin: user.platformAdmin }, deps, pendingAck);
  if (input.channelId) {
    const channelKey = slackChannelKey(input.teamId, input.channelId);
    // Awaited so that the notifier can reach this channel as soon as the work below starts a run.
    await deps.engine
      .saveConversationRef({ channelKey, orgId: slackOrgId(input.teamId), platform: 'slack', reference: { team: input.teamId, channel: input.channelId } })
      .catch((error: unknown) => deps.log.warn({ err: toAppError(error).code, channelKey }, 'could not store the Slack conversation reference'));
  }
  try {
    await work(ctx);
  } catch (error) {
    // The dispatcher answers its own errors; this is the last resort so the user is never left in silence.
    const appError = toAppError(error);
    deps.log.error({ code: appError.code, err: error instanceof Error ? error.message : String(error), kind: input.kind }, 'slack turn failed');
    await ctx
      .replyPrivately({ kind: 'error', title: 'That did not work', message: appError.userMessage, code: appError.code })
      .catch(() => undefined);
  }
}
