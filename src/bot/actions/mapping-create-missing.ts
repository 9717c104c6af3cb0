import type { Action } from './types.js';
import { changeMapping } from './mapping-change.js';

export const mappingCreateMissingAction: Action<'mapping.create_missing'> = {
  name: 'mapping.create_missing',
  description: 'Flag a missing destination mailbox to be created.',
  roles: ['admin'],
  async run(ctx, { projectId, mappingId, filter, page }, deps) {
    await changeMapping(ctx, deps, { projectId, mappingId, filter, page, change: { type: 'create_missing' } });
  },
};
