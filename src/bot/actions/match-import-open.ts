import type { Action } from './types.js';
import { presentImportForm } from '../presenters/forms.js';

export const matchImportOpenAction: Action<'match.import_open'> = {
  name: 'match.import_open',
  description: 'Open the CSV import form.',
  roles: ['admin'],
  async run(ctx, { projectId }, { engine, actor }) {
    await ctx.openForm(presentImportForm(await engine.getProject(actor, projectId)));
  },
};
