import type { FormFieldView, FormView } from '../views.js';
import { truncate } from '../text.js';
import { context, esc, plain, section, slackLimits, type SlackBlock, type SlackText } from './blocks.js';

export interface SlackModalView {
  type: 'modal';
  callback_id: string;
  private_metadata: string;
  title: SlackText;
  submit: SlackText;
  close: SlackText;
  blocks: SlackBlock[];
}

/** Slack has no masked input: say so next to every secret, so nobody pastes one unawares. */
const secretNote = 'Slack shows what you type here; mailferry stores it encrypted and never displays it again.';

function element(field: FormFieldView): Record<string, unknown> {
  const base = { action_id: field.id };
  const placeholder = field.placeholder ? { placeholder: plain(field.placeholder, 150) } : {};
  switch (field.type) {
    case 'text':
    case 'multiline':
      return { type: 'plain_text_input', ...base, ...placeholder, multiline: field.type === 'multiline', ...(field.value ? { initial_value: field.value } : {}) };
    case 'password':
      return { type: 'plain_text_input', ...base, ...placeholder };
    case 'number':
      return { type: 'number_input', ...base, ...placeholder, is_decimal_allowed: false, ...(field.value && Number.isFinite(Number(field.value)) ? { initial_value: field.value } : {}) };
    case 'select': {
      const options = (field.options ?? []).slice(0, slackLimits.selectOptions).map((o) => ({ text: plain(o.label, slackLimits.optionText), value: o.value }));
      const initial = options.find((o) => o.value === field.value);
      return { type: 'static_select', ...base, ...placeholder, options, ...(initial ? { initial_option: initial } : {}) };
    }
    case 'toggle': {
      const option = { text: plain('Yes', slackLimits.optionText), value: 'true' };
      return { type: 'checkboxes', ...base, options: [option], ...(field.value === 'true' ? { initial_options: [option] } : {}) };
    }
  }
}

function fieldBlocks(field: FormFieldView): SlackBlock[] {
  const hint = [field.hint, field.type === 'password' ? secretNote : undefined].filter(Boolean).join(' ');
  const input: SlackBlock = {
    type: 'input',
    block_id: field.id,
    label: plain(field.label, 2000),
    // An unticked checkbox is a valid answer ("false"), so a toggle is never required.
    optional: field.type === 'toggle' || field.required !== true,
    element: element(field),
    ...(hint ? { hint: plain(hint, 2000) } : {}),
  };
  return field.error ? [input, context(`❌ ${esc(field.error)}`)] : [input];
}

/** A form as a Slack modal; submit with readSlackModalSubmission() from codec.ts. */
export function renderSlackModal(form: FormView): SlackModalView {
  const blocks: SlackBlock[] = [
    // The modal title holds 24 characters; a longer one is repeated in full above the fields.
    ...(form.title.length > 24 ? [section(`*${esc(form.title)}*`)] : []),
    ...(form.intro ? [section(esc(form.intro))] : []),
    ...(form.error ? [section(`❌ *${esc(form.error)}*`)] : []),
    ...form.fields.flatMap(fieldBlocks),
  ];
  return {
    type: 'modal',
    callback_id: truncate(form.submit.verb, slackLimits.id),
    private_metadata: JSON.stringify(form.submit.data),
    title: plain(form.title, 24),
    submit: plain(form.submit.label, 24),
    close: plain('Cancel', 24),
    blocks: blocks.slice(0, slackLimits.modalBlocks),
  };
}

/** Field errors for a `view_submission` ack: `{ response_action: 'errors', errors }`. */
export function slackFormErrors(form: FormView): Record<string, string> {
  return Object.fromEntries(form.fields.filter((f) => f.error).map((f) => [f.id, truncate(f.error ?? '', 150)]));
}
