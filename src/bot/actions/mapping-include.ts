import type { Action } from './types.js';
import { changeMapping } from './mapping-change.js';

export const mappingIncludeAction: Action<'mapping.include'> = {
  name: 'mapping.include',
  description: 'Bring an excluded row back.',
  roles: ['admin'],
  async run(ctx, { projectId, mappingId, filter, page }, deps) {
    await changeMapping(ctx, deps, { projectId, mappingId, filter, page, change: { type: 'include' } });
  },
};
