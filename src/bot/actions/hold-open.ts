import type { Action } from './types.js';
import { showHold } from './hold-show.js';

export const holdOpenAction: Action<'hold.open'> = {
  name: 'hold.open',
  description: 'Open a hold’s approval card from the approvals list.',
  roles: ['admin', 'approver'],
  async run(ctx, { holdId }, deps) {
    await showHold(ctx, deps, holdId, 0);
  },
};
