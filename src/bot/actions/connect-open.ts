import type { Action } from './types.js';
import { openConnect } from '../commands/connect-m365.js';

export const connectOpenAction: Action<'connect.open'> = {
  name: 'connect.open',
  description: 'Open the credentials of one side: the form, or for Microsoft 365 the consent card (manual: the form).',
  roles: ['admin'],
  async run(ctx, { projectId, side, manual }, deps) {
    const project = await deps.engine.getProject(deps.actor, projectId);
    await openConnect(ctx, deps, project, side, manual === true);
  },
};
