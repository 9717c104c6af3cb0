import type { CreateMissingPlan, ProjectInfo } from '../../engine/index.js';
import type { FormView } from '../../cards/views.js';
import { formatCount } from './format.js';

export interface CreateMissingValues { usageLocation?: string; skuId?: string }

/**
 * Before a full run that creates Microsoft 365 users: where they are (usage location, which
 * Microsoft requires before a license) and which of the tenant's licenses they get. Passwords are
 * generated and never shown: each user resets theirs through the tenant's usual process.
 */
export function presentCreateMissingForm(project: ProjectInfo, plan: CreateMissingPlan, values: CreateMissingValues = {}, errors: Partial<Record<keyof CreateMissingValues, string>> = {}): FormView {
  const names = plan.toCreate.slice(0, 10).map((m) => m.destinationAddress).join(', ');
  const more = plan.toCreate.length > 10 ? ` and ${formatCount(plan.toCreate.length - 10)} more` : '';
  const count = plan.toCreate.length;
  return {
    kind: 'form',
    title: `Full run of ${project.name}: create ${formatCount(count)} missing ${count === 1 ? 'user' : 'users'}`,
    intro: `mailferry creates ${names}${more} in the destination tenant at launch (display name and address from the source, a generated password that nobody is shown), waits until each mailbox is ready, then copies its mail. Nothing is charged for a mailbox before its first item moves.`,
    fields: [
      { id: 'usageLocation', label: 'Usage location', type: 'text', required: true, value: values.usageLocation ?? 'US', placeholder: 'US',
        hint: 'Two-letter country code (ISO 3166) of the new users; Microsoft requires it before a license is assigned.', ...(errors.usageLocation ? { error: errors.usageLocation } : {}) },
      { id: 'skuId', label: 'License', type: 'select', required: true, ...(values.skuId ? { value: values.skuId } : plan.skus[0] ? { value: plan.skus[0].skuId } : {}),
        options: plan.skus.filter((s) => s.available > 0).slice(0, 100).map((s) => ({ value: s.skuId, label: `${s.name} (${formatCount(s.available)} free)` })),
        hint: 'From the destination tenant’s subscriptions; each new user takes one seat.', ...(errors.skuId ? { error: errors.skuId } : {}) },
    ],
    submit: { label: 'Launch full run', verb: 'run.create_missing', data: { projectId: project.id } },
  };
}
