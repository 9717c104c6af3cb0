import type { Action } from './types.js';
import { sendMappingCsv } from '../commands/match.js';

export const matchExportAction: Action<'match.export'> = {
  name: 'match.export',
  description: 'Send the mapping as CSV.',
  roles: ['admin', 'helpdesk', 'approver'],
  async run(ctx, { projectId }, deps) {
    await sendMappingCsv(ctx, deps, projectId);
  },
};
