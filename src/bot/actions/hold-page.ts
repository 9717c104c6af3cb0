import type { Action } from './types.js';
import { showHold } from './hold-show.js';

export const holdPageAction: Action<'hold.page'> = {
  name: 'hold.page',
  description: 'Another page of the mailboxes an approval card covers, in place of the clicked card.',
  roles: 'anyone',
  async run(ctx, { holdId, page }, deps) {
    await showHold(ctx, deps, holdId, page);
  },
};
