import type { Action } from './types.js';
import { AppError } from '../../errors.js';
import { readOverrideDestination } from '../../cards/match-actions.js';
import { changeMapping } from './mapping-change.js';

export const mappingOverrideAction: Action<'mapping.override'> = {
  name: 'mapping.override',
  description: 'Set the destination of one row.',
  roles: ['admin'],
  async run(ctx, payload, deps) {
    const { projectId, mappingId, filter, page } = payload;
    // Slack sends `destination`; Teams the per-row input id (cards/match-actions.ts explains why).
    const destinationAddress = readOverrideDestination(payload);
    if (!destinationAddress) throw new AppError('BAD_INPUT', 'Choose or type a destination address first, then press Override.');
    await changeMapping(ctx, deps, { projectId, mappingId, filter, page, change: { type: 'override', destinationAddress } });
  },
};
