import type { Action } from './types.js';
import { showHold } from './hold-show.js';

export const holdRefreshAction: Action<'hold.refresh'> = {
  name: 'hold.refresh',
  description: 'Teams Universal Actions refresh of an approval card: approvers get the buttons, others a read-only card.',
  // Whoever Teams refreshes for; the engine decides who may read the hold.
  roles: 'anyone',
  async run(ctx, { holdId }, deps) {
    await showHold(ctx, deps, holdId, 0);
  },
};
