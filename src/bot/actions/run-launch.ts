import type { Action } from './types.js';
import { launchAndPost } from '../commands/launch.js';

export const runLaunchAction: Action<'run.launch'> = {
  name: 'run.launch',
  description: 'Start a copy run ("Retry failed" sends mode retry); its living card is posted in the channel.',
  roles: ['admin'],
  async run(ctx, { projectId, mode }, deps) {
    await launchAndPost(ctx, deps, projectId, mode);
  },
};
