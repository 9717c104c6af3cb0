import type { Action } from './types.js';
import { changeMapping } from './mapping-change.js';

export const mappingExcludeAction: Action<'mapping.exclude'> = {
  name: 'mapping.exclude',
  description: 'Leave one row out of the migration.',
  roles: ['admin'],
  async run(ctx, { projectId, mappingId, filter, page }, deps) {
    await changeMapping(ctx, deps, { projectId, mappingId, filter, page, change: { type: 'exclude' } });
  },
};
