import type { Action } from './types.js';
import { AppError } from '../../errors.js';
import { importMappingCsv } from '../commands/match.js';
import { presentImportForm } from '../presenters/forms.js';
import { problemLines } from '../presenters/error.js';

export const matchImportAction: Action<'match.import'> = {
  name: 'match.import',
  description: 'Apply a pasted mapping CSV.',
  roles: ['admin'],
  async run(ctx, { projectId, csv }, deps) {
    try {
      await importMappingCsv(ctx, deps, projectId, csv, 'respond');
    } catch (error) {
      if (!AppError.is(error, 'BAD_INPUT')) throw error;
      // Nothing was applied: give the form back with the CSV and every wrong line.
      const lines = problemLines(error.details);
      const message = [error.userMessage, ...lines].join('\n');
      await ctx.openForm(presentImportForm(await deps.engine.getProject(deps.actor, projectId), csv, message));
    }
  },
};
