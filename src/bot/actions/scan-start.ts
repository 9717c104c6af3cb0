import type { Action } from './types.js';
import { startScanAndPost } from '../commands/scan.js';

export const scanStartAction: Action<'scan.start'> = {
  name: 'scan.start',
  description: 'Start a scan; its living card is posted in the channel.',
  roles: ['admin'],
  async run(ctx, { projectId }, deps) {
    await startScanAndPost(ctx, deps, projectId);
  },
};
