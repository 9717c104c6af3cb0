import type { Action } from './types.js';
import { AppError } from '../../errors.js';
import { presentProjectForm, type ProjectFormValues } from '../presenters/forms.js';
import { presentProject } from '../presenters/project.js';
import { platformId } from '../commands/new.js';

type FieldErrors = Partial<Record<keyof ProjectFormValues, string>>;

/** Checks what the form can check itself, so the admin sees every problem at once. */
function validate(values: Required<ProjectFormValues>, available: string[]): FieldErrors {
  const errors: FieldErrors = {};
  if (!values.name.trim()) errors.name = 'Give the project a name.';
  else if (values.name.trim().length > 64) errors.name = 'Keep the name under 64 characters.';
  if (!available.includes(values.source)) errors.source = 'Choose a source platform.';
  if (!available.includes(values.destination)) errors.destination = 'Choose a destination platform.';
  return errors;
}

/** Maps an engine refusal onto the field it is about (details.field), else the form's banner. */
function fieldOf(error: AppError): keyof ProjectFormValues | null {
  const field = error.details?.field;
  if (field === 'name' || field === 'source' || field === 'destination') return field;
  if (field === 'sourcePlatform') return 'source';
  if (field === 'destinationPlatform') return 'destination';
  if (error.code === 'CONFLICT') return 'name';
  return null;
}

export const projectCreateAction: Action<'project.create'> = {
  name: 'project.create',
  description: 'Create a project from the form.',
  roles: ['admin'],
  async run(ctx, payload, { engine, actor }) {
    const platforms = engine.platforms();
    const values = { name: payload.name.trim(), source: platformId(payload.source), destination: platformId(payload.destination) };
    const errors = validate(values, platforms.filter((p) => p.available).map((p) => p.id));
    if (Object.keys(errors).length) {
      await ctx.openForm(presentProjectForm(platforms, values, errors));
      return;
    }
    try {
      const project = await engine.createProject(actor, { name: values.name, sourcePlatform: values.source, destinationPlatform: values.destination, channelKey: ctx.channel.key });
      await ctx.respond(presentProject(project, platforms, `Project ${project.name} created`));
    } catch (error) {
      if (!AppError.is(error, 'BAD_INPUT') && !AppError.is(error, 'CONFLICT') && !AppError.is(error, 'UNSUPPORTED')) throw error;
      const field = fieldOf(error);
      await ctx.openForm(field ? presentProjectForm(platforms, values, { [field]: error.userMessage }) : presentProjectForm(platforms, values, {}, error.userMessage));
    }
  },
};
