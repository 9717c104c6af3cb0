/**
 * One Slack turn (a slash command, a click, a modal submit, a mention) as a platform-neutral
 * ChatContext: commands and actions never see Bolt. Each method maps to the Web API call a Slack
 * user would expect — a channel post, an ephemeral, an edit in place, a modal.
 */
import type { FormView, NoticeView, View } from '../../cards/views.js';
import type { Logger } from '../../log.js';
import type { ChatContext, ChatUpload, MessageRef } from '../context.js';
import { renderSlackMessage, renderSlackModal, slackFormErrors, type SlackModalView } from './slack-cards.js';
import { isDirectChannel, parseSlackChannelKey, slackChannelKey, slackOrgId } from './slack-keys.js';
import { wrapModalMetadata } from './slack-modal-envelope.js';
import { slackErrorOf, type SlackWeb } from './slack-web.js';

export interface SlackTurn {
  kind: 'command' | 'action' | 'submission' | 'message';
  teamId: string;
  teamName: string;
  userId: string;
  userName: string;
  platformAdmin: boolean;
  /** Where answers go; undefined for a modal submit whose channel is unknown (answers go to a DM). */
  channelId: string | undefined;
  triggerId?: string;
  responseUrl?: string;
  /** The message whose button was clicked. */
  source?: { channelId: string; ts: string; ephemeral: boolean };
  threadTs?: string;
  /** Files shared with the message (not downloaded yet). */
  uploads?: ChatUpload[];
}

/** Errors meaning "cannot post an ephemeral there": fall back to a DM. */
const EPHEMERAL_FALLBACK = new Set(['not_in_channel', 'channel_not_found', 'user_not_in_channel', 'is_archived']);
const TRIGGER_ERRORS = new Set(['trigger_expired', 'trigger_exchanged', 'invalid_trigger_id', 'expired_trigger_id']);

export interface SlackContextDeps {
  web: SlackWeb;
  log: Logger;
}

/**
 * A modal submit whose ack is still pending: a form shown again (validation errors) replaces the
 * open modal through the ack (`response_action: "update"`); any other output closes it first.
 */
export interface PendingSubmitAck {
  /**
   * Shows the form in the open modal: field errors beside the user's own input when it is the same
   * form, else the new form. Returns false when the ack was already sent (too late for either).
   */
  showForm(modal: SlackModalView, fieldErrors: Record<string, string>): Promise<boolean>;
  close(): Promise<void>;
}

export function createSlackContext(turn: SlackTurn, deps: SlackContextDeps, pendingAck?: PendingSubmitAck): ChatContext {
  const { web, log } = deps;
  const settle = async (): Promise<void> => pendingAck?.close();
  // Without a channel, answers go to the user's DM with the bot (chat.postMessage accepts a user id).
  const channelKey = slackChannelKey(turn.teamId, turn.channelId ?? turn.userId);
  let triggerId = turn.triggerId;

  const dmChannel = async (): Promise<string> => {
    const opened = await web.call('conversations.open', { users: turn.userId });
    return String((opened.channel as { id?: string } | undefined)?.id);
  };
  const targetChannel = async (): Promise<string> => turn.channelId ?? dmChannel();

  const post = async (view: View): Promise<MessageRef> => {
    await settle();
    const channel = await targetChannel();
    const result = await web.call('chat.postMessage', { channel, ...renderSlackMessage(view), ...(turn.threadTs ? { thread_ts: turn.threadTs } : {}) });
    return { channelKey: slackChannelKey(turn.teamId, String(result.channel ?? channel)), messageId: String(result.ts) };
  };

  const replyPrivately = async (view: View): Promise<void> => {
    await settle();
    const message = renderSlackMessage(view);
    if (turn.channelId) {
      try {
        await web.call('chat.postEphemeral', { channel: turn.channelId, user: turn.userId, ...message });
        return;
      } catch (error) {
        if (!EPHEMERAL_FALLBACK.has(slackErrorOf(error) ?? '')) throw error;
        log.info({ slackError: slackErrorOf(error) }, 'ephemeral not possible here; answering in a DM');
      }
    }
    await web.call('chat.postMessage', { channel: await dmChannel(), ...message });
  };

  const update = async (ref: MessageRef, view: View): Promise<void> => {
    await settle();
    const channel = parseSlackChannelKey(ref.channelKey)?.channelId ?? turn.channelId;
    await web.call('chat.update', { channel, ts: ref.messageId, ...renderSlackMessage(view) });
  };

  const openForm = async (form: FormView): Promise<void> => {
    const trigger = triggerId;
    // A trigger works once (trigger_exchanged afterwards).
    triggerId = undefined;
    const rendered = renderSlackModal(form);
    const modal = { ...rendered, private_metadata: wrapModalMetadata(rendered.private_metadata, turn.channelId) };
    if (pendingAck && (await pendingAck.showForm(modal, form.error ? {} : slackFormErrors(form)))) return;
    if (trigger) {
      try {
        await web.call('views.open', { trigger_id: trigger, view: modal });
        return;
      } catch (error) {
        if (!TRIGGER_ERRORS.has(slackErrorOf(error) ?? '')) throw error;
        log.info({ slackError: slackErrorOf(error) }, 'modal trigger no longer valid');
      }
    }
    await replyPrivately(formRetryNotice(form));
  };

  const respond = async (view: View): Promise<void> => {
    await settle();
    const source = turn.source;
    if (turn.kind !== 'action' || !source) {
      await post(view);
      return;
    }
    if (source.ephemeral && turn.responseUrl) {
      // Ephemeral messages have no ts chat.update accepts; their response_url can replace them.
      await postToResponseUrl(turn.responseUrl, { replace_original: true, ...renderSlackMessage(view) });
      return;
    }
    await web.call('chat.update', { channel: source.channelId, ts: source.ts, ...renderSlackMessage(view) });
  };

  const sendFile = async (name: string, content: string, comment: string): Promise<void> => {
    await settle();
    const channel = await targetChannel();
    try {
      await web.uploadText({ channel, filename: name, content, comment });
    } catch (error) {
      log.warn({ err: error instanceof Error ? error.message : String(error) }, 'slack file upload failed; sending as a code block');
      const body = content.length > 35_000 ? `${content.slice(0, 35_000)}\n…(truncated)` : content;
      await web.call('chat.postMessage', { channel, text: `${comment}\n*${name}*\n\`\`\`\n${body}\n\`\`\`` });
    }
  };

  return {
    platform: 'slack',
    org: { id: slackOrgId(turn.teamId), name: turn.teamName },
    actor: { id: turn.userId, name: turn.userName, platformAdmin: turn.platformAdmin },
    channel: { key: channelKey, direct: turn.channelId ? isDirectChannel(turn.channelId) : true },
    reply: post,
    replyPrivately,
    update,
    openForm,
    respond,
    sendFile,
    ...(turn.uploads?.length ? { uploads: turn.uploads } : {}),
  };
}

/** When a modal cannot open (the 3 s trigger expired), say so privately and what to do. */
function formRetryNotice(form: FormView): NoticeView {
  return {
    kind: 'notice',
    tone: 'warning',
    title: `${form.title}: the form could not open`,
    text: 'Slack only lets a form open within 3 seconds of the click or command, and this one took longer. Run the command or click the button again; the form asks for:',
    facts: form.fields.map((f) => ({ label: f.label, value: f.hint ?? (f.required ? 'required' : 'optional') })),
  };
}

async function postToResponseUrl(url: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`response_url answered HTTP ${response.status}`);
}
