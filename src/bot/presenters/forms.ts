import type { ConnectionFieldSpec, PlatformInfo, ProjectInfo, Side } from '../../engine/index.js';
import type { FormFieldView, FormView } from '../../cards/views.js';
import { platformLabel } from './project.js';

export interface ProjectFormValues {
  name?: string;
  source?: string;
  destination?: string;
}

/** The new-project form: name plus the platforms whose connectors exist. */
export function presentProjectForm(platforms: PlatformInfo[], values: ProjectFormValues = {}, errors: Partial<Record<keyof ProjectFormValues, string>> = {}, error?: string): FormView {
  const options = platforms.filter((p) => p.available).map((p) => ({ value: p.id, label: p.label }));
  const field = (id: keyof ProjectFormValues, base: Omit<FormFieldView, 'id'>): FormFieldView => ({
    id,
    ...base,
    ...(values[id] ? { value: values[id] } : {}),
    ...(errors[id] ? { error: errors[id] } : {}),
  });
  return {
    kind: 'form',
    title: 'New migration project',
    intro: 'A project moves mailboxes from one platform to another. It belongs to this channel; progress cards appear here.',
    fields: [
      field('name', { label: 'Project name', type: 'text', required: true, placeholder: 'acme', hint: 'Used in commands, e.g. /migrate scan acme. Letters, digits, spaces, - and _.' }),
      field('source', { label: 'Source (migrate from)', type: 'select', required: true, options }),
      field('destination', { label: 'Destination (migrate to)', type: 'select', required: true, options }),
    ],
    submit: { label: 'Create project', verb: 'project.create', data: {} },
    ...(error ? { error } : {}),
  };
}

/**
 * The credentials form of one side, from the engine's field specs. Re-shown after a failed
 * submission with the admin's non-secret values kept; passwords are never echoed back.
 */
export function presentConnectionForm(
  project: ProjectInfo,
  side: Side,
  platforms: PlatformInfo[],
  spec: { intro: string; fields: ConnectionFieldSpec[] },
  previous: Record<string, unknown> = {},
  fieldErrors: Record<string, string> = {},
  error?: string,
): FormView {
  const platform = side === 'source' ? project.sourcePlatform : project.destinationPlatform;
  const fields: FormFieldView[] = spec.fields.map((f) => {
    const prior = f.type === 'password' ? undefined : previous[f.id];
    const value = prior !== undefined && prior !== null && prior !== '' ? String(prior) : f.value;
    return {
      id: f.id,
      label: f.label,
      type: f.type,
      required: f.required,
      ...(f.placeholder ? { placeholder: f.placeholder } : {}),
      ...(f.hint ? { hint: f.hint } : {}),
      ...(value !== undefined ? { value } : {}),
      ...(fieldErrors[f.id] ? { error: fieldErrors[f.id] } : {}),
    };
  });
  return {
    kind: 'form',
    title: `Connect the ${side} of ${project.name} (${platformLabel(platforms, platform)})`,
    intro: spec.intro,
    fields,
    submit: { label: 'Check and save', verb: 'connect.save', data: { projectId: project.id, side } },
    ...(error ? { error } : {}),
  };
}

export function presentImportForm(project: ProjectInfo, csv = '', error?: string): FormView {
  return {
    kind: 'form',
    title: `Import the mapping of ${project.name}`,
    intro: 'Paste CSV with the columns source_address,destination_address,status (status: matched, excluded or create_missing). Nothing is applied if any line is wrong.',
    fields: [{ id: 'csv', label: 'Mapping CSV', type: 'multiline', required: true, placeholder: 'source_address,destination_address,status', ...(csv ? { value: csv } : {}) }],
    submit: { label: 'Import', verb: 'match.import', data: { projectId: project.id } },
    ...(error ? { error } : {}),
  };
}
