/**
 * Requests as Slack sends them to an app: signed with the signing secret
 * (`v0=` + HMAC-SHA256(secret, `v0:{timestamp}:{raw body}`)), form-encoded, slash commands as
 * plain fields and interactions as one `payload` field holding JSON. Each builder hands out a fresh
 * trigger_id and response_url from the simulator, as Slack does per interaction. An Events API
 * re-delivery is the same body again with `X-Slack-Retry-Num` / `X-Slack-Retry-Reason` (`retry`).
 */
import { createHmac } from 'node:crypto';
import type { SlackApiSimulator } from './slack-api-simulator.js';

type Json = Record<string, unknown>;

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export async function signedSlackRequest(
  url: string,
  secret: string,
  body: URLSearchParams | string,
  options: { timestamp?: number; signature?: string; contentType?: string; retry?: SlackRetry } = {},
): Promise<Response> {
  const raw = typeof body === 'string' ? body : body.toString();
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    headers: {
      // Exactly what Slack sends (no charset suffix).
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(secret, timestamp, raw),
      // A re-delivery is signed anew (fresh timestamp) but carries the same body, so the same event_id.
      ...(options.retry ? { 'x-slack-retry-num': String(options.retry.num), 'x-slack-retry-reason': options.retry.reason } : {}),
    },
    body: raw,
  });
}

/** How Slack marks a re-delivery: attempt 1–3 and why (`http_timeout`, `http_error`, `connection_failed`…). */
export interface SlackRetry {
  num: number;
  reason: string;
}

export interface SlackActor {
  userId: string;
  userName: string;
  teamId: string;
  teamDomain: string;
  channelId: string;
}

export interface BuiltRequest {
  body: URLSearchParams;
  triggerId: string;
  responseUrl: string;
}

export function slashCommandBody(sim: SlackApiSimulator, actor: SlackActor, text: string, command = '/migrate'): BuiltRequest {
  const triggerId = sim.newTriggerId(actor.userId);
  const responseUrl = sim.newResponseUrl({ channel: actor.channelId, user: actor.userId });
  const body = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: actor.teamId,
    team_domain: actor.teamDomain,
    channel_id: actor.channelId,
    channel_name: actor.channelId.startsWith('D') ? 'directmessage' : 'migrations',
    user_id: actor.userId,
    user_name: actor.userName,
    command,
    text,
    api_app_id: 'ASIM',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: triggerId,
  });
  return { body, triggerId, responseUrl };
}

function userOf(actor: SlackActor): Json {
  return { id: actor.userId, username: actor.userName, name: actor.userName, team_id: actor.teamId };
}

/** A click on an interactive element of a message (or of an ephemeral message). */
export function blockActionsBody(
  sim: SlackApiSimulator,
  actor: SlackActor,
  props: { action: Json; message: { ts: string; text?: string; blocks?: unknown[] } | null; ephemeral?: boolean; channelId?: string },
): BuiltRequest {
  const channel = props.channelId ?? actor.channelId;
  const triggerId = sim.newTriggerId(actor.userId);
  const responseUrl = sim.newResponseUrl({ channel, user: actor.userId, messageTs: props.message?.ts, ephemeral: props.ephemeral });
  const payload = {
    type: 'block_actions',
    user: userOf(actor),
    api_app_id: 'ASIM',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: props.message?.ts, channel_id: channel, is_ephemeral: props.ephemeral ?? false },
    trigger_id: triggerId,
    team: { id: actor.teamId, domain: actor.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: 'migrations' },
    // Slack omits the message of ephemeral containers.
    ...(props.ephemeral || !props.message ? {} : { message: { type: 'message', ts: props.message.ts, text: props.message.text ?? '', blocks: props.message.blocks ?? [] } }),
    state: { values: {} },
    response_url: responseUrl,
    actions: [{ ...props.action, action_ts: `${Date.now() / 1000}` }],
  };
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }), triggerId, responseUrl };
}

/** A modal's submit: the view as opened, with `state.values` filled by the user. */
export function viewSubmissionBody(sim: SlackApiSimulator, actor: SlackActor, view: Json & { id?: string }, values: Record<string, Record<string, Json>>): BuiltRequest {
  const triggerId = sim.newTriggerId(actor.userId);
  const payload = {
    type: 'view_submission',
    team: { id: actor.teamId, domain: actor.teamDomain },
    user: userOf(actor),
    api_app_id: 'ASIM',
    token: 'deprecated-verification-token',
    trigger_id: triggerId,
    view: {
      id: view.id ?? 'VSIM',
      team_id: actor.teamId,
      type: 'modal',
      blocks: view.blocks ?? [],
      private_metadata: view.private_metadata ?? '',
      callback_id: view.callback_id ?? '',
      state: { values },
      hash: `${Date.now()}.hash`,
      title: view.title,
      close: view.close ?? null,
      submit: view.submit ?? null,
      root_view_id: view.id ?? 'VSIM',
      app_id: 'ASIM',
      bot_id: 'BSIM',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }), triggerId, responseUrl: '' };
}

/** An Events API delivery (JSON, not form-encoded), e.g. an app_mention or a DM `message`; Slack re-delivers it with the same event_id. */
export function eventCallbackBody(actor: SlackActor, event: Json, options: { eventId?: string } = {}): string {
  return JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: actor.teamId,
    api_app_id: 'ASIM',
    event: { event_ts: `${Date.now() / 1000}`, ts: `${Date.now() / 1000}`, team: actor.teamId, ...event },
    type: 'event_callback',
    event_id: options.eventId ?? `Ev${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: actor.teamId, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  });
}
