import { describe, expect, it } from 'vitest';
import { parseAction } from '../verbs.js';
import type { FormView } from '../views.js';
import { viewFixtures } from '../view-fixtures.js';
import { readSlackModalSubmission, type SlackStateValue } from './codec.js';
import { renderSlackModal, slackFormErrors, type SlackBlock } from './render.js';

const connectForm = viewFixtures.form as FormView;
const newProjectForm: FormView = {
  kind: 'form',
  title: 'New migration project',
  fields: [
    { id: 'name', label: 'Project name', type: 'text', required: true, placeholder: 'acme' },
    { id: 'source', label: 'Source', type: 'select', required: true, options: [{ value: 'imap', label: 'IMAP' }, { value: 'sandbox', label: 'Sandbox tenant' }] },
    { id: 'destination', label: 'Destination', type: 'select', required: true, value: 'sandbox', options: [{ value: 'imap', label: 'IMAP' }, { value: 'sandbox', label: 'Sandbox tenant' }] },
  ],
  submit: { label: 'Create', verb: 'project.create', data: {} },
};

/** What Slack would put in view.state.values after a user filled every input of the modal. */
function fill(blocks: SlackBlock[], answers: Record<string, string>): Record<string, Record<string, SlackStateValue>> {
  const values: Record<string, Record<string, SlackStateValue>> = {};
  for (const block of blocks.filter((b) => b.type === 'input')) {
    const el = block.element as { type: string; action_id: string; options?: { value: string }[] };
    const answer = answers[block.block_id!] ?? '';
    const state: SlackStateValue =
      el.type === 'checkboxes' ? { type: el.type, selected_options: answer === 'true' ? [{ value: 'true' }] : [] }
        : el.type === 'static_select' ? { type: el.type, selected_option: answer ? { value: answer } : null }
          : { type: el.type, value: answer || null };
    values[block.block_id!] = { [el.action_id]: state };
  }
  return values;
}

describe('Slack modal', () => {
  it('maps each field to an input block keyed by the field id, within Slack limits', () => {
    const modal = renderSlackModal(connectForm);
    expect(modal).toMatchObject({ type: 'modal', callback_id: 'connect.save', private_metadata: JSON.stringify(connectForm.submit.data) });
    expect(modal.title.text.length).toBeLessThanOrEqual(24);
    expect(modal.submit.text).toBe('Save and test');
    const inputs = modal.blocks.filter((b) => b.type === 'input');
    expect(inputs.map((b) => b.block_id)).toEqual(connectForm.fields.map((f) => f.id));
    const byId = Object.fromEntries(inputs.map((b) => [b.block_id, b]));
    expect(byId.host).toMatchObject({ optional: false, element: { type: 'plain_text_input', action_id: 'host', initial_value: 'imap.old-corp.example' } });
    expect(byId.port).toMatchObject({ element: { type: 'number_input', initial_value: '993', is_decimal_allowed: false } });
    expect(byId.timeout).toMatchObject({ optional: true });
    expect(byId.secure).toMatchObject({ optional: true, element: { type: 'checkboxes', initial_options: [{ value: 'true' }] } });
    expect(byId.masterPassword!.element).not.toHaveProperty('initial_value');
    expect(byId.auth).toMatchObject({ element: { type: 'static_select', initial_option: { value: 'plain' } } });
    expect(byId.mailboxes).toMatchObject({ element: { multiline: true } });
    expect(JSON.stringify(modal.blocks)).toContain('❌ Line 3: “bob@” is not an address.');
    expect(modal.blocks.length).toBeLessThanOrEqual(100);
    expect(modal).toMatchSnapshot();
  });

  it('round-trips: filled state values decode to the field ids and parse as the form verb', () => {
    for (const [form, answers] of [
      [connectForm, { host: 'imap.x.example', port: '143', timeout: '', secure: 'false', masterPassword: 's3cret', auth: 'master', mailboxes: 'a@x.example,pw' }],
      [newProjectForm, { name: 'acme ${x}', source: 'imap', destination: 'sandbox' }],
    ] as const) {
      const modal = renderSlackModal(form);
      const submission = readSlackModalSubmission({ callback_id: modal.callback_id, private_metadata: modal.private_metadata, state: { values: fill(modal.blocks, answers) } });
      expect(submission.verb).toBe(form.submit.verb);
      expect(submission.data).toEqual({ ...answers, ...form.submit.data });
      expect(parseAction(submission.verb, submission.data)).toMatchObject({ ok: true });
    }
  });

  it('keeps the form data authoritative over a same-named input', () => {
    const submission = readSlackModalSubmission({ callback_id: 'connect.save', private_metadata: '{"projectId":"p1","side":"source"}', state: { values: { projectId: { projectId: { type: 'plain_text_input', value: 'other' } } } } });
    expect(submission.data.projectId).toBe('p1');
  });

  it('lists field errors by block id for a view_submission errors response', () => {
    expect(slackFormErrors(connectForm)).toEqual({ mailboxes: 'Line 3: “bob@” is not an address.' });
    expect(slackFormErrors(newProjectForm)).toEqual({});
  });
});
