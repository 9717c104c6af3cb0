/**
 * What Slack sends back, decoded into `{verb, data}` for cards/verbs.ts parseAction.
 *
 * Encoding (renderers in this folder produce it):
 * - button: action_id `<verb>:<n>` (n unique within the message), value = JSON of the button data.
 * - match row select: block_id `row:<JSON of the row data>`, action_id `mapping.override:<n>`;
 *   an option value `verb:<verb>` (never contains "@") runs that verb on the row, any other
 *   value is a destination address and means mapping.override with `data.destination` set.
 * - modal: callback_id = the form's verb, private_metadata = JSON of its data, block_id =
 *   action_id = field id.
 * Undecodable input yields empty data; parseAction then refuses it with a clear message.
 */

const rowPrefix = 'row:';
const verbPrefix = 'verb:';

export function rowBlockId(data: Record<string, string | number | boolean>): string {
  return `${rowPrefix}${JSON.stringify(data)}`;
}

export function verbOptionValue(verb: string): string {
  return `${verbPrefix}${verb}`;
}

function parseObject(json: string | undefined): Record<string, unknown> {
  if (!json) return {};
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export interface SlackActionInput {
  action_id: string;
  value?: string;
  selected_option?: { value: string } | null;
}

export function decodeSlackAction(action: SlackActionInput, blockId?: string): { verb: string; data: Record<string, unknown> } {
  const cut = action.action_id.indexOf(':');
  const verb = cut === -1 ? action.action_id : action.action_id.slice(0, cut);
  const selected = action.selected_option?.value;
  if (selected === undefined) return { verb, data: parseObject(action.value) };
  const row = blockId?.startsWith(rowPrefix) ? parseObject(blockId.slice(rowPrefix.length)) : {};
  if (selected.startsWith(verbPrefix) && !selected.includes('@')) return { verb: selected.slice(verbPrefix.length), data: row };
  return { verb, data: { ...row, destination: selected } };
}

/** One input element's state as Slack reports it in `view.state.values[block_id][action_id]`. */
export interface SlackStateValue {
  type: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: { value: string }[] | null;
}

/**
 * Modal values by block id (= field id), as strings like Teams sends them: empty inputs give "",
 * a toggle (checkboxes) gives "true" or "false".
 */
export function readSlackModalValues(stateValues: Record<string, Record<string, SlackStateValue>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [blockId, actions] of Object.entries(stateValues)) {
    const element = Object.values(actions)[0];
    if (!element) continue;
    if (element.type === 'checkboxes') out[blockId] = (element.selected_options ?? []).length > 0 ? 'true' : 'false';
    else if (element.type === 'static_select' || element.type === 'radio_buttons') out[blockId] = element.selected_option?.value ?? '';
    else out[blockId] = element.value ?? '';
  }
  return out;
}

/** The data a modal submission carries: private_metadata merged under the input values' keys. */
export function readSlackModalSubmission(view: { callback_id: string; private_metadata?: string; state: { values: Record<string, Record<string, SlackStateValue>> } }): {
  verb: string;
  data: Record<string, unknown>;
} {
  return { verb: view.callback_id, data: { ...readSlackModalValues(view.state.values), ...parseObject(view.private_metadata) } };
}
