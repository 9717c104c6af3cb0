import type {
  ConnectResultView, ErrorView, FormFieldView, FormView, HelpView, NoticeView, ProjectListView, ProjectView,
  RefusalView, RolesView, StatusView, Tone,
} from '../views.js';
import { connectionState, runStatusEmoji, toneEmoji } from '../status.js';
import { formatUtc, moreLine, truncate } from '../text.js';
import { teamsAction, teamsActions } from './actions.js';

/**
 * Template data for each card kind. Every binding a template uses gets a value here (an empty
 * string rather than undefined), because the templating engine leaves unknown `${…}` as text.
 */

export const toneColor: Record<Tone, string> = { info: 'Accent', success: 'Good', warning: 'Warning', danger: 'Attention' };
export const toneStyle: Record<Tone, string> = { info: 'emphasis', success: 'good', warning: 'warning', danger: 'attention' };

/** Lists longer than this are cut with "…and N more" (the card budget is 40 KB). */
export const listLimit = 30;
/** Problem lists stay short: the card says what is wrong, per-mailbox detail belongs in a thread. */
export const problemLimit = 10;

export function capped<T>(items: readonly T[], limit: number, alreadyMore = 0): { shown: T[]; moreText: string } {
  const shown = items.slice(0, limit);
  return { shown, moreText: moreLine(items.length - shown.length + alreadyMore) ?? '' };
}

export function helpData(view: HelpView) {
  return {
    problem: view.problem ?? '',
    commands: view.commands.map((c) => ({ usage: truncate(c.usage, 120), description: truncate(c.description, 400) })),
    actions: teamsActions([]),
  };
}

export function errorData(view: ErrorView) {
  const { shown, moreText } = capped(view.details ?? [], problemLimit);
  return {
    title: truncate(view.title, 200),
    message: truncate(view.message, 2000),
    code: view.code,
    details: shown.map((text) => ({ text: truncate(text, 500) })),
    moreText,
    actions: teamsActions(view.actions),
  };
}

export function refusalData(view: RefusalView) {
  return {
    action: view.action,
    allowed: view.allowedRoles.join(', ') || '—',
    yours: view.yourRoles.join(', ') || 'none',
  };
}

export function noticeData(view: NoticeView) {
  return {
    containerStyle: toneStyle[view.tone],
    heading: view.tone === 'info' ? view.title : `${toneEmoji[view.tone]} ${view.title}`,
    text: view.text ?? '',
    facts: (view.facts ?? []).slice(0, listLimit),
    actions: teamsActions(view.actions),
  };
}

function fieldData(field: FormFieldView) {
  const numberValue = field.type === 'number' && field.value !== undefined ? Number(field.value) : NaN;
  return {
    id: field.id,
    type: field.type,
    label: field.label,
    required: field.required === true,
    requiredMessage: `${field.label} is required.`,
    placeholder: field.placeholder ?? '',
    // A password is never pre-filled: the template has no value binding for it.
    initial: field.type === 'password' ? '' : (field.value ?? ''),
    hasNumber: Number.isFinite(numberValue),
    numberValue: Number.isFinite(numberValue) ? numberValue : 0,
    toggleValue: field.value === 'true' ? 'true' : 'false',
    options: (field.options ?? []).slice(0, 100).map((o) => ({ label: o.label, choice: o.value })),
    hint: field.hint ?? '',
    error: field.error ?? '',
  };
}

export function formData(view: FormView) {
  return {
    title: view.title,
    intro: view.intro ?? '',
    error: view.error ?? '',
    fields: view.fields.map(fieldData),
    actions: [teamsAction({ label: view.submit.label, verb: view.submit.verb, data: view.submit.data, style: 'primary' })],
  };
}

export function projectData(view: ProjectView) {
  return {
    heading: view.title ?? view.name,
    route: `${view.sourceLabel} → ${view.destinationLabel}`,
    createdBy: view.createdBy,
    connections: view.connections.map((c) => ({
      emoji: connectionState[c.state].emoji,
      sideLabel: c.side === 'source' ? 'Source' : 'Destination',
      platformLabel: c.platformLabel,
      stateLabel: connectionState[c.state].label,
      color: toneColor[connectionState[c.state].tone],
      summary: c.summary ?? '',
    })),
    facts: view.facts.slice(0, listLimit),
    nextStep: view.nextStep,
    actions: teamsActions(view.actions),
  };
}

export function projectListData(view: ProjectListView) {
  const { shown, moreText } = capped(view.projects, listLimit, view.more);
  return {
    emptyText: 'No projects yet. Type **new** to create one.',
    projects: shown.map((p) => ({ ...p, createdAt: formatUtc(p.createdAt) })),
    moreText,
  };
}

export function connectResultData(view: ConnectResultView) {
  const side = view.side === 'source' ? 'source' : 'destination';
  const { shown, moreText } = capped(view.problems, problemLimit);
  return {
    containerStyle: view.ok ? 'good' : 'attention',
    heading: view.ok ? `✅ Connected the ${side} of ${view.projectName}` : `❌ Could not connect the ${side} of ${view.projectName}`,
    summary: view.summary,
    problems: shown.map((text) => ({ text: truncate(text, 500) })),
    moreText,
    actions: teamsActions(view.actions),
  };
}

export function rolesData(view: RolesView) {
  const { shown, moreText } = capped(view.entries, 50);
  return { entries: shown, moreText, usage: view.usage, notice: view.notice ?? '' };
}

export function statusData(view: StatusView) {
  return {
    projectName: view.projectName,
    stage: view.stage,
    facts: view.facts.slice(0, listLimit),
    runs: view.latestRuns.slice(0, 10).map((r) => ({ ...r, emoji: runStatusEmoji(r.status), when: formatUtc(r.when) })),
    actions: teamsActions(view.actions),
  };
}
