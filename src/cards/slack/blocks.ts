import type { ButtonView, FactView } from '../views.js';
import { slackEscape, truncate } from '../text.js';

/**
 * Minimal Block Kit shapes and builders that respect Slack's limits by construction, so a long
 * list can never produce a message Slack rejects. (The Slack SDK types stay in src/bot/slack.)
 */

export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

export interface SlackBlock {
  type: string;
  block_id?: string;
  [key: string]: unknown;
}

export const slackLimits = {
  blocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  header: 150,
  actionsElements: 25,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  buttonText: 75,
  buttonValue: 2000,
  id: 255,
  contextElements: 10,
} as const;

export function plain(text: string, max: number): SlackText {
  return { type: 'plain_text', text: truncate(text || ' ', max), emoji: true };
}

export function mrkdwn(text: string, max: number = slackLimits.sectionText): SlackText {
  return { type: 'mrkdwn', text: truncate(text, max) };
}

/** User text inside mrkdwn: escaped so it cannot mention, link or break formatting markers. */
export const esc = slackEscape;

export function header(text: string): SlackBlock {
  return { type: 'header', text: plain(text, slackLimits.header) };
}

export function section(text: string, accessory?: Record<string, unknown>, blockId?: string): SlackBlock {
  return { type: 'section', text: mrkdwn(text), ...(accessory ? { accessory } : {}), ...(blockId ? { block_id: blockId } : {}) };
}

export function context(text: string): SlackBlock {
  return { type: 'context', elements: [mrkdwn(text)] };
}

export function divider(): SlackBlock {
  return { type: 'divider' };
}

/** Facts as two-column fields, 10 per section. */
export function factSections(facts: readonly FactView[], maxSections = 2): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  for (let i = 0; i < facts.length && blocks.length < maxSections; i += slackLimits.fields) {
    const fields = facts.slice(i, i + slackLimits.fields).map((f) => mrkdwn(`*${esc(f.label)}*\n${esc(f.value)}`, slackLimits.fieldText));
    blocks.push({ type: 'section', fields });
  }
  return blocks;
}

/**
 * Lines packed into as few sections as the 3000-character limit allows, at most `maxSections`.
 * Returns how many lines did not fit so the caller can say "…and N more".
 */
export function lineSections(lines: readonly string[], maxSections: number): { blocks: SlackBlock[]; left: number } {
  const blocks: SlackBlock[] = [];
  let current = '';
  let used = 0;
  for (const raw of lines) {
    const line = truncate(raw, slackLimits.sectionText);
    if (current && current.length + 1 + line.length > slackLimits.sectionText) {
      if (blocks.length + 1 >= maxSections) break;
      blocks.push(section(current));
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
    used++;
  }
  if (current) blocks.push(section(current));
  return { blocks, left: lines.length - used };
}

/** Gives every button of one message a unique action_id `<verb>:<n>`; see codec.ts. */
export class ActionIds {
  private next = 0;
  id(verb: string): string {
    return truncate(`${verb}:${(this.next++).toString(36)}`, slackLimits.id);
  }
}

export function button(b: ButtonView, ids: ActionIds): Record<string, unknown> {
  return {
    type: 'button',
    text: plain(b.label, slackLimits.buttonText),
    action_id: ids.id(b.verb),
    value: JSON.stringify(b.data),
    ...(b.style ? { style: b.style } : {}),
  };
}

/** Buttons in actions blocks of at most 25 elements each. */
export function actionBlocks(buttons: readonly ButtonView[] | undefined, ids: ActionIds): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  const list = buttons ?? [];
  for (let i = 0; i < list.length; i += slackLimits.actionsElements) {
    blocks.push({ type: 'actions', elements: list.slice(i, i + slackLimits.actionsElements).map((b) => button(b, ids)) });
  }
  return blocks;
}

/** Keeps a message within 50 blocks: keeps the head and the final action rows, notes the cut. */
export function withinBlockLimit(blocks: SlackBlock[]): SlackBlock[] {
  if (blocks.length <= slackLimits.blocks) return blocks;
  const tail: SlackBlock[] = [];
  while (blocks.length && blocks[blocks.length - 1]?.type === 'actions' && tail.length < 2) tail.unshift(blocks.pop()!);
  const head = blocks.slice(0, slackLimits.blocks - tail.length - 1);
  return [...head, context(`…and ${blocks.length - head.length} more parts not shown`), ...tail];
}
