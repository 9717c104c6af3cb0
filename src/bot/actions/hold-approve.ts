import type { Action } from './types.js';
import { decideFromCard } from './hold-decide.js';

export const holdApproveAction: Action<'hold.approve'> = {
  name: 'hold.approve',
  description: 'Approve a credit hold: the run starts and the card shows who approved it.',
  // The engine checks approver/admin and self-approval, and audits a refusal.
  roles: 'anyone',
  async run(ctx, { holdId }, deps) {
    await decideFromCard(ctx, deps, holdId, 'approve');
  },
};
