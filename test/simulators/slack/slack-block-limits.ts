/**
 * Block Kit budgets the real Slack API enforces (docs.slack.dev/reference/block-kit/blocks): a
 * message over budget is refused with `invalid_blocks`, a modal with `invalid_arguments`. Returns
 * the list of violations (empty when the payload fits) so that tests can also assert on them.
 */

type Json = Record<string, unknown>;

const LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  header: 150,
  actionsElements: 25,
  selectOptions: 100,
  id: 255,
  buttonText: 75,
  buttonValue: 2000,
};

function textOf(value: unknown): string {
  if (value && typeof value === 'object' && typeof (value as Json).text === 'string') return (value as Json).text as string;
  return '';
}

function checkElement(element: Json, where: string, problems: string[]): void {
  if (typeof element.action_id === 'string' && element.action_id.length > LIMITS.id) problems.push(`${where}: action_id longer than ${LIMITS.id}`);
  if (element.type === 'button') {
    if (textOf(element.text).length > LIMITS.buttonText) problems.push(`${where}: button text longer than ${LIMITS.buttonText}`);
    if (typeof element.value === 'string' && element.value.length > LIMITS.buttonValue) problems.push(`${where}: button value longer than ${LIMITS.buttonValue}`);
  }
  if (Array.isArray(element.options) && element.options.length > LIMITS.selectOptions) {
    problems.push(`${where}: more than ${LIMITS.selectOptions} options`);
  }
  if (Array.isArray(element.option_groups)) {
    const groups = element.option_groups as { options?: unknown[] }[];
    if (groups.length > LIMITS.selectOptions) problems.push(`${where}: more than ${LIMITS.selectOptions} option groups`);
    groups.forEach((g, i) => {
      if ((g.options ?? []).length > LIMITS.selectOptions) problems.push(`${where}.option_groups[${i}]: more than ${LIMITS.selectOptions} options`);
    });
    if (Array.isArray(element.options)) problems.push(`${where}: options and option_groups are exclusive`);
  }
}

function checkBlock(block: Json, index: number, problems: string[]): void {
  const where = `blocks[${index}]`;
  if (typeof block.type !== 'string') problems.push(`${where}: missing type`);
  if (typeof block.block_id === 'string' && block.block_id.length > LIMITS.id) problems.push(`${where}: block_id longer than ${LIMITS.id}`);
  if (block.type === 'section') {
    if (textOf(block.text).length > LIMITS.sectionText) problems.push(`${where}: section text longer than ${LIMITS.sectionText}`);
    if (!block.text && !block.fields) problems.push(`${where}: section needs text or fields`);
    if (Array.isArray(block.fields)) {
      if (block.fields.length > LIMITS.fields) problems.push(`${where}: more than ${LIMITS.fields} fields`);
      block.fields.forEach((f, i) => {
        if (textOf(f).length > LIMITS.fieldText) problems.push(`${where}.fields[${i}]: longer than ${LIMITS.fieldText}`);
      });
    }
    if (block.accessory && typeof block.accessory === 'object') checkElement(block.accessory as Json, `${where}.accessory`, problems);
  }
  if (block.type === 'header' && textOf(block.text).length > LIMITS.header) problems.push(`${where}: header longer than ${LIMITS.header}`);
  if (block.type === 'actions') {
    const elements = Array.isArray(block.elements) ? (block.elements as Json[]) : [];
    if (elements.length > LIMITS.actionsElements) problems.push(`${where}: more than ${LIMITS.actionsElements} elements`);
    elements.forEach((e, i) => checkElement(e, `${where}.elements[${i}]`, problems));
  }
  if (block.type === 'input' && block.element && typeof block.element === 'object') checkElement(block.element as Json, `${where}.element`, problems);
}

export function blockKitProblems(blocks: unknown, surface: 'message' | 'modal'): string[] {
  if (blocks === undefined) return [];
  if (!Array.isArray(blocks)) return ['blocks is not an array'];
  const problems: string[] = [];
  const max = surface === 'message' ? LIMITS.messageBlocks : LIMITS.modalBlocks;
  if (blocks.length > max) problems.push(`more than ${max} blocks (${blocks.length})`);
  blocks.forEach((b, i) => checkBlock((b ?? {}) as Json, i, problems));
  return problems;
}
