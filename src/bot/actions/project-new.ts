import type { Action } from './types.js';
import { presentProjectForm } from '../presenters/forms.js';

export const projectNewAction: Action<'project.new'> = {
  name: 'project.new',
  description: 'Open the new-project form.',
  roles: ['admin'],
  async run(ctx, _payload, { engine }) {
    await ctx.openForm(presentProjectForm(engine.platforms()));
  },
};
