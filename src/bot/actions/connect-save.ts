import type { Action } from './types.js';
import type { ConnectResultView } from '../../cards/views.js';
import { AppError } from '../../errors.js';
import { presentConnectionForm } from '../presenters/forms.js';
import { problemLines } from '../presenters/error.js';
import { nextStep } from '../presenters/project.js';

export const connectSaveAction: Action<'connect.save'> = {
  name: 'connect.save',
  description: 'Check the credentials of one side and save them when they work.',
  roles: ['admin'],
  async run(ctx, payload, { engine, actor }) {
    const { projectId, side, ...fields } = payload;
    const project = await engine.getProject(actor, projectId);
    const platform = side === 'source' ? project.sourcePlatform : project.destinationPlatform;
    const platforms = engine.platforms();
    let settings;
    try {
      settings = engine.parseConnectionForm(platform, fields);
    } catch (error) {
      if (!AppError.is(error, 'BAD_INPUT')) throw error;
      // A field the admin can fix: show the form again with the problem beside it.
      const field = typeof error.details?.field === 'string' ? error.details.field : undefined;
      const spec = engine.connectionForm(platform);
      await ctx.openForm(presentConnectionForm(project, side, platforms, spec, fields, field ? { [field]: error.userMessage } : {}, field ? undefined : error.userMessage));
      return;
    }
    // Microsoft 365: "Try again" reopens the manual form, not the consent card.
    const retry = { label: 'Try again', verb: 'connect.open', data: { projectId: project.id, side, ...(platform === 'm365' ? { manual: true } : {}) }, style: 'primary' as const };
    try {
      const info = await engine.saveConnection(actor, { project: project.id, side, settings });
      const updated = await engine.getProject(actor, project.id);
      const view: ConnectResultView = {
        kind: 'connect_result',
        projectName: project.name,
        side,
        ok: true,
        summary: `${info.summary} ${nextStep(updated)}`.trim(),
        problems: [],
        actions: updated.stage === 'ready_to_scan' ? [{ label: 'Scan now', verb: 'scan.start', data: { projectId: project.id }, style: 'primary' }] : [{ label: 'Project', verb: 'project.show', data: { projectId: project.id } }],
      };
      await ctx.respond(view);
    } catch (error) {
      if (!AppError.is(error, 'AUTH_FAILED') && !AppError.is(error, 'CONNECTION_FAILED') && !AppError.is(error, 'BAD_INPUT')) throw error;
      const problems = problemLines(error.details);
      await ctx.respond({
        kind: 'connect_result',
        projectName: project.name,
        side,
        ok: false,
        summary: `${error.userMessage} Nothing was saved.`,
        problems,
        actions: [retry],
      });
    }
  },
};
