import type { Action } from './types.js';
import { decideFromCard } from './hold-decide.js';

export const holdRejectAction: Action<'hold.reject'> = {
  name: 'hold.reject',
  description: 'Reject a credit hold: its credits are released, the run is cancelled, the card says who rejected it.',
  // The engine checks approver/admin and audits a refusal.
  roles: 'anyone',
  async run(ctx, { holdId }, deps) {
    await decideFromCard(ctx, deps, holdId, 'reject');
  },
};
