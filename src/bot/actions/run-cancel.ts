import type { Action } from './types.js';
import { presentRun } from '../presenters/run.js';

export const runCancelAction: Action<'run.cancel'> = {
  name: 'run.cancel',
  description: 'Cancel the active run; the clicked run card turns to “cancelled” at once.',
  roles: ['admin'],
  async run(ctx, { projectId }, { engine, actor }) {
    const run = await engine.cancelRun(actor, { project: projectId });
    await ctx.respond(presentRun(await engine.getRun(run.id)));
  },
};
