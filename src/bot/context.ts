import type { FormView, View } from '../cards/views.js';

export type ChatPlatform = 'slack' | 'teams';

/** A message we posted: enough to edit it later. */
export interface MessageRef {
  channelKey: string;
  /** Slack `ts`, Teams activity id. */
  messageId: string;
}

/**
 * One chat turn, platform-neutral: commands and card actions see only this, never Bolt or
 * botbuilder (the transport hides behind it, as a Bolt receiver does).
 */
export interface ChatContext {
  platform: ChatPlatform;
  /** `slack:<team_id>` / `teams:<tenant_id>`; the org is created on first contact. */
  org: { id: string; name: string };
  actor: {
    id: string;
    name: string;
    /** Slack workspace owner/admin; Teams: none (MAILFERRY_ADMINS covers Teams). */
    platformAdmin: boolean;
  };
  /** `slack:<team>:<channel>` / `teams:<conversation id>`; proactive sends use the stored reference. */
  channel: { key: string; direct: boolean };
  /** Posts a new message in the channel (visible to everyone there). */
  reply(view: View): Promise<MessageRef>;
  /** Only the actor sees it: Slack ephemeral; Teams the invoke response or a 1:1 message. */
  replyPrivately(view: View): Promise<void>;
  /** Edits a message posted earlier. */
  update(ref: MessageRef, view: View): Promise<void>;
  /** Shows a form: Slack opens a modal (needs a trigger); Teams posts or returns a card with inputs. */
  openForm(form: FormView): Promise<void>;
  /**
   * For card actions: replaces the card whose button was clicked (Teams: the invoke's card
   * response; Slack: chat.update of that message). For commands it posts like reply().
   */
  respond(view: View): Promise<void>;
  /** Files attached to the message, already downloaded as text (kept for callers that have the text at hand). */
  attachments?: { name: string; text: string }[];
  /** Files shared with the message (Slack files, Teams file attachments), fetched only when a command asks. */
  uploads?: ChatUpload[];
  /** Sends a file to the channel (CSV exports); falls back to a code block when uploads are unavailable. */
  sendFile?(name: string, content: string, comment: string): Promise<void>;
}

/**
 * A file shared with a chat message, not downloaded yet: the command checks roles, type and size
 * first, so a refused upload never costs a download.
 */
export interface ChatUpload {
  name: string;
  /** Bytes, when the platform says (Slack does; Teams does not). */
  size?: number;
  /** MIME type and/or the platform's file type (`csv`, `pdf`…), when known. */
  mimetype?: string;
  filetype?: string;
  /** The file's text; AppError when the platform will not hand it over or it is over maxBytes. */
  download(maxBytes: number): Promise<string>;
}

/** Proactive sending for the notifier: post or edit in a channel we were talked to in before. */
export interface ChatSender {
  platform: ChatPlatform;
  post(channelKey: string, view: View, options?: { threadOf?: string }): Promise<MessageRef>;
  update(ref: MessageRef, view: View): Promise<void>;
}

/** Routes a chat turn to a command or a card action (src/bot/dispatch.ts implements it). */
export interface Dispatcher {
  /** Text after the bot mention or `/migrate`, e.g. `scan acme`. Unknown input → help card with the problem. */
  command(ctx: ChatContext, text: string): Promise<void>;
  /** A button click or form submit: `{verb, …data}` as the card sent it (validated by cards/verbs.ts). */
  action(ctx: ChatContext, verb: unknown, data: unknown): Promise<void>;
}
