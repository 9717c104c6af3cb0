import type { CreateMissingPlan } from '../../engine/index.js';
import type { ChatContext } from '../context.js';
import { presentCreateMissingForm } from '../presenters/m365-launch.js';
import type { TurnDeps } from './types.js';

/**
 * A full run whose destination creates users for create_missing mappings (Microsoft 365) needs a
 * usage location and a license first: shows the form asking for them and returns true; false when
 * nothing is to be created (the launch goes on).
 */
export async function askCreateMissing(ctx: ChatContext, { engine, actor }: TurnDeps, project: string): Promise<boolean> {
  const plan: CreateMissingPlan = await engine.createMissingPlan(actor, { project });
  if (!plan.createsUsers || plan.toCreate.length === 0) return false;
  const info = await engine.getProject(actor, project);
  if (!plan.skus.some((s) => s.available > 0)) {
    await ctx.reply({
      kind: 'notice', tone: 'warning', title: `No free license for the new users of ${info.name}`,
      text: `${plan.toCreate.length} mappings are flagged “create missing”, but the destination tenant has no license with a free seat (Exchange Online or a suite that includes it). Buy or free seats in the Microsoft 365 admin center, or map those mailboxes to existing users or exclude them, then launch again.`,
    });
    return true;
  }
  await ctx.openForm(presentCreateMissingForm(info, plan));
  return true;
}
