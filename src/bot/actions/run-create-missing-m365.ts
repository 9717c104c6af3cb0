import type { Action } from './types.js';
import { launchAndPost } from '../commands/launch.js';
import { presentCreateMissingForm } from '../presenters/m365-launch.js';

const COUNTRY = /^[A-Za-z]{2}$/;

export const runCreateMissingAction: Action<'run.create_missing'> = {
  name: 'run.create_missing',
  description: 'Launch a full run that creates the missing Microsoft 365 users with this usage location and license.',
  roles: ['admin'],
  async run(ctx, { projectId, usageLocation, skuId }, deps) {
    const { engine, actor } = deps;
    const location = usageLocation.trim().toUpperCase();
    const plan = await engine.createMissingPlan(actor, { project: projectId });
    const sku = plan.skus.find((s) => s.skuId === skuId.trim() && s.available > 0);
    if (!COUNTRY.test(location) || !sku) {
      const project = await engine.getProject(actor, projectId);
      await ctx.openForm(presentCreateMissingForm(project, plan, { usageLocation, skuId }, {
        ...(COUNTRY.test(location) ? {} : { usageLocation: 'Give a two-letter country code, for example US, GB or DE.' }),
        ...(sku ? {} : { skuId: 'Pick one of the tenant’s licenses with a free seat.' }),
      }));
      return;
    }
    await launchAndPost(ctx, deps, projectId, 'full', { createMissing: { usageLocation: location, skuId: sku.skuId } });
  },
};
