/**
 * A person in a Slack workspace, as tests drive one: types `/migrate …`, clicks a button or picks an
 * option on a message the bot posted (found by its visible label, so tests do not depend on how
 * action ids are encoded), and submits modals. Every request is signed and goes over HTTP.
 */
import type { SimMessage, SlackApiSimulator, SlackEventFile } from './slack-api-simulator.js';
import { blockActionsBody, eventCallbackBody, signedSlackRequest, slashCommandBody, viewSubmissionBody, type BuiltRequest, type SlackActor } from './slack-signer.js';

type Json = Record<string, unknown>;
type Blocks = Json[] | undefined;

export interface SentRequest {
  response: Response;
  /** Time until Slack would have its HTTP answer (the ack). */
  ackMs: number;
  body: string;
}

function textOf(value: unknown): string {
  return value && typeof value === 'object' && typeof (value as Json).text === 'string' ? ((value as Json).text as string) : '';
}

/** Interactive elements with the text of the block around them (for "the Exclude button of bob's row"). */
function elementsOf(blocks: Blocks): { element: Json; blockId: string | undefined; context: string }[] {
  const found: { element: Json; blockId: string | undefined; context: string }[] = [];
  let lastText = '';
  for (const block of blocks ?? []) {
    const own = [textOf(block.text), ...((block.fields as unknown[] | undefined) ?? []).map(textOf),
      ...((block.elements as unknown[] | undefined) ?? []).map(textOf)].join(' ');
    if (block.type === 'section' || block.type === 'context' || block.type === 'header') lastText = own;
    const blockId = typeof block.block_id === 'string' ? block.block_id : undefined;
    const candidates = block.type === 'actions' ? ((block.elements as Json[] | undefined) ?? []) : block.accessory ? [block.accessory as Json] : [];
    for (const element of candidates) found.push({ element, blockId, context: `${lastText} ${own}` });
  }
  return found;
}

export class SlackTestUser {
  constructor(
    private readonly sim: SlackApiSimulator,
    private readonly eventsUrl: string,
    private readonly secret: string,
    readonly actor: SlackActor,
  ) {}

  private async send(built: BuiltRequest): Promise<SentRequest> {
    const started = performance.now();
    const response = await signedSlackRequest(this.eventsUrl, this.secret, built.body);
    const ackMs = performance.now() - started;
    return { response, ackMs, body: await response.text() };
  }

  command(text: string): Promise<SentRequest> {
    return this.send(slashCommandBody(this.sim, this.actor, text));
  }

  /**
   * Uploads a file with a message, as the Slack client does: Events API `message` with subtype
   * `file_share` and `files[]`; in a channel the text starts with the bot's mention, so an
   * `app_mention` carrying the same `files[]` follows (the bot may ignore the channel message).
   * In a DM (channel `D…`) only the `message` event is sent.
   */
  async shareFile(text: string, file: { name: string; content: string; mimetype?: string; filetype?: string } | SlackEventFile): Promise<{ file: SlackEventFile; sent: SentRequest[] }> {
    // A file object from sim.shareFile is sent as it is (e.g. one the test has since deleted).
    const shared = 'url_private_download' in file ? file : this.sim.shareFile({ user: this.actor.userId, ...file });
    const direct = this.actor.channelId.startsWith('D');
    const ts = `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
    const said = direct ? text : `<@${this.sim.botUserId}> ${text}`;
    const common = { user: this.actor.userId, text: said, files: [shared], upload: true, display_as_bot: false, channel: this.actor.channelId, ts };
    const events = [{ type: 'message', subtype: 'file_share', channel_type: direct ? 'im' : 'channel', ...common }];
    if (!direct) events.push({ type: 'app_mention', ...common } as (typeof events)[number]);
    const sent: SentRequest[] = [];
    for (const event of events) {
      const body = eventCallbackBody(this.actor, event);
      const started = performance.now();
      const response = await signedSlackRequest(this.eventsUrl, this.secret, body, { contentType: 'application/json' });
      sent.push({ response, ackMs: performance.now() - started, body: await response.text() });
    }
    return { file: shared, sent };
  }

  /** Clicks the button labelled `label` (in the block mentioning `near`, when given). */
  click(message: { ts: string; blocks: Blocks; text?: string }, label: string, options: { near?: string; ephemeral?: boolean } = {}): Promise<SentRequest> {
    const match = elementsOf(message.blocks).find(({ element, context }) =>
      element.type === 'button' && textOf(element.text) === label && (!options.near || context.includes(options.near)));
    if (!match) throw new Error(`No button “${label}”${options.near ? ` near “${options.near}”` : ''} in message ${message.ts}: ${JSON.stringify(message.blocks)}`);
    const { element, blockId } = match;
    const action = { type: 'button', action_id: element.action_id, block_id: blockId, text: element.text, value: element.value, style: element.style };
    return this.send(blockActionsBody(this.sim, this.actor, { action, message: { ts: message.ts, text: message.text, blocks: message.blocks }, ephemeral: options.ephemeral }));
  }

  /** Picks the option labelled (or valued) `option` in a select (in the block mentioning `near`). */
  choose(message: { ts: string; blocks: Blocks; text?: string }, option: string, options: { near?: string; ephemeral?: boolean } = {}): Promise<SentRequest> {
    for (const { element, blockId, context } of elementsOf(message.blocks)) {
      if (element.type !== 'static_select' || (options.near && !context.includes(options.near))) continue;
      const choice = optionsOf(element).find((o) => o.value === option || textOf(o.text) === option);
      if (!choice) continue;
      const action = { type: 'static_select', action_id: element.action_id, block_id: blockId, selected_option: choice, placeholder: element.placeholder };
      return this.send(blockActionsBody(this.sim, this.actor, { action, message: { ts: message.ts, text: message.text, blocks: message.blocks }, ephemeral: options.ephemeral }));
    }
    throw new Error(`No select offering “${option}”${options.near ? ` near “${options.near}”` : ''} in message ${message.ts}`);
  }

  /** The modal most recently opened for this user. */
  lastView(): (Json & { id: string }) | undefined {
    const opened = this.sim.views.filter((v) => v.user === this.actor.userId).at(-1);
    return opened ? { ...opened.view, id: opened.id } : undefined;
  }

  /** Submits a modal; `answers` are keyed by field id (block_id/action_id) or by the input's label. */
  submit(view: Json & { id?: string }, answers: Record<string, string>): Promise<SentRequest> {
    return this.send(viewSubmissionBody(this.sim, this.actor, view, fillModal(view.blocks as Blocks, answers)));
  }
}

/** A select's options, flat or in option_groups. */
function optionsOf(element: Json): Json[] {
  const groups = (element.option_groups as { options?: Json[] }[] | undefined) ?? [];
  return [...((element.options as Json[] | undefined) ?? []), ...groups.flatMap((g) => g.options ?? [])];
}

function matches(key: string, block: Json, element: Json): boolean {
  const ids = [block.block_id, element.action_id].filter((v): v is string => typeof v === 'string');
  return ids.some((id) => id === key || id.endsWith(`:${key}`) || id.endsWith(`.${key}`) || id.endsWith(`_${key}`)) || textOf(block.label) === key;
}

/** `view.state.values` as Slack builds it: block_id → action_id → typed value. */
export function fillModal(blocks: Blocks, answers: Record<string, string>): Record<string, Record<string, Json>> {
  const values: Record<string, Record<string, Json>> = {};
  for (const block of blocks ?? []) {
    if (block.type !== 'input' || !block.element) continue;
    const element = block.element as Json;
    const key = Object.keys(answers).find((k) => matches(k, block, element));
    const answer = key === undefined ? undefined : answers[key];
    const blockId = String(block.block_id);
    values[blockId] = { [String(element.action_id)]: valueFor(element, answer) };
  }
  return values;
}

function valueFor(element: Json, answer: string | undefined): Json {
  const type = String(element.type);
  const options = optionsOf(element);
  if (type === 'static_select' || type === 'radio_buttons') {
    const chosen = answer === undefined ? element.initial_option ?? null : options.find((o) => o.value === answer || textOf(o.text) === answer) ?? null;
    if (answer !== undefined && !chosen) throw new Error(`No option “${answer}” in ${JSON.stringify(options)}`);
    return { type, selected_option: chosen };
  }
  if (type === 'checkboxes') {
    const on = answer === undefined ? ((element.initial_options as Json[] | undefined) ?? []) : answer === 'true' ? options.slice(0, 1) : [];
    return { type, selected_options: on };
  }
  return { type, value: answer ?? (typeof element.initial_value === 'string' ? element.initial_value : null) };
}

export type { SimMessage };
