import * as ACData from 'adaptivecards-templating';
import type { View } from '../views.js';
import { neutralise } from '../text.js';
import {
  connectResultData, errorData, formData, helpData, noticeData, projectData, projectListData, refusalData, rolesData, statusData,
} from './card-data.js';
import { matchReviewData, scanData, type ListLimits } from './list-data.js';
import { mailboxLogData, mailboxStatusData, runData, verificationData } from './run-data.js';
import help from './help.json' with { type: 'json' };
import error from './error.json' with { type: 'json' };
import refusal from './refusal.json' with { type: 'json' };
import notice from './notice.json' with { type: 'json' };
import form from './form.json' with { type: 'json' };
import project from './project.json' with { type: 'json' };
import projectList from './project-list.json' with { type: 'json' };
import connectResult from './connect-result.json' with { type: 'json' };
import scan from './scan.json' with { type: 'json' };
import matchReview from './match-review.json' with { type: 'json' };
import roles from './roles.json' with { type: 'json' };
import status from './status.json' with { type: 'json' };
import run from './run.json' with { type: 'json' };
import mailboxStatus from './mailbox-status.json' with { type: 'json' };
import mailboxLog from './mailbox-log.json' with { type: 'json' };
import verification from './verification.json' with { type: 'json' };
import { m365ConnectCard } from './m365-connect-data.js';
import approval from './approval.json' with { type: 'json' };
import shortfall from './shortfall.json' with { type: 'json' };
import credits from './credits.json' with { type: 'json' };
import approvals from './approvals.json' with { type: 'json' };
import { approvalData, approvalsData, creditsData, shortfallData } from './credit-data.js';

/** DESIGN §7: a Teams card stays within 40 KB (the bot limit is ~100 KB; we keep headroom). */
export const teamsCardBudgetBytes = 40 * 1024;

/** Keys whose values travel back to the bot (button data, input values, choice values) and so must
 * stay byte-exact; everything else is display text. The template engine does not re-expand data. */
const passThroughKeys = new Set(['payload', 'submitData', 'initial', 'choice']);

/** Makes user text inert for the template engine and for the "no unresolved ${" check. */
function neutraliseDeep(value: unknown): unknown {
  if (typeof value === 'string') return neutralise(value);
  if (Array.isArray(value)) return value.map(neutraliseDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, passThroughKeys.has(k) ? v : neutraliseDeep(v)]));
  }
  return value;
}

/** adaptivecards-templating 2.3.1 warns "Unable to parse … $when … set to false" for every $when
 * that is simply false (template-engine.js: `if (!evaluationResult.value)`), so that one is noise. */
const falseWhen = /^WARN: Unable to parse the Adaptive Expression .* The \$when condition has been set to false by default\.$/;

function expandInto(template: object, data: object, warnings: string[]): Record<string, unknown> {
  const engine = new ACData.Template(template);
  const card = engine.expand({ $root: neutraliseDeep(data) }) as Record<string, unknown>;
  warnings.push(...engine.getLastTemplateExpansionWarnings().filter((w) => !falseWhen.test(w)));
  return card;
}

export function teamsCardBytes(card: unknown): number {
  return new TextEncoder().encode(JSON.stringify(card)).length;
}

/** Limits tried in order until a list card fits the budget: fewer override candidates, no per-row
 * fallbacks, then fewer rows. A page of 25 match rows fits at the fifth step. */
const limitSteps: ListLimits[] = [
  { rows: 40, candidates: 100, rowFallbacks: true },
  { rows: 40, candidates: 10, rowFallbacks: true },
  { rows: 40, candidates: 10, rowFallbacks: false },
  { rows: 40, candidates: 5, rowFallbacks: false },
  { rows: 40, candidates: 3, rowFallbacks: false },
  { rows: 30, candidates: 3, rowFallbacks: false },
  { rows: 25, candidates: 3, rowFallbacks: false },
  { rows: 20, candidates: 0, rowFallbacks: false },
  { rows: 10, candidates: 0, rowFallbacks: false },
  { rows: 5, candidates: 0, rowFallbacks: false },
];

function fitting(build: (limits: ListLimits) => Record<string, unknown>): Record<string, unknown> {
  let card: Record<string, unknown> = {};
  for (const limits of limitSteps) {
    card = build(limits);
    if (teamsCardBytes(card) <= teamsCardBudgetBytes) return card;
  }
  return card;
}

/** The Adaptive Card 1.5 for a view, ready for an attachment or an Action.Execute response. */
export function renderTeamsCard(view: View): Record<string, unknown> {
  return renderTeamsCardChecked(view).card;
}

/** The card plus the templating engine's warnings (tests require none). */
export function renderTeamsCardChecked(view: View): { card: Record<string, unknown>; warnings: string[] } {
  const warnings: string[] = [];
  const expand = (template: object, data: object) => expandInto(template, data, warnings);
  return { card: cardFor(view, expand), warnings };
}

type Expand = (template: object, data: object) => Record<string, unknown>;

function cardFor(view: View, expand: Expand): Record<string, unknown> {
  switch (view.kind) {
    case 'm365_connect': return m365ConnectCard(view, expand);
    case 'help': return expand(help, helpData(view));
    case 'error': return expand(error, errorData(view));
    case 'refusal': return expand(refusal, refusalData(view));
    case 'notice': return expand(notice, noticeData(view));
    case 'form': return expand(form, formData(view));
    case 'project': return expand(project, projectData(view));
    case 'project_list': return expand(projectList, projectListData(view));
    case 'connect_result': return expand(connectResult, connectResultData(view));
    case 'scan': return fitting((limits) => expand(scan, scanData(view, limits)));
    case 'match_review': return fitting((limits) => expand(matchReview, matchReviewData(view, limits)));
    case 'roles': return expand(roles, rolesData(view));
    case 'status': return expand(status, statusData(view));
    case 'run': return expand(run, runData(view));
    case 'mailbox_status': return expand(mailboxStatus, mailboxStatusData(view));
    case 'mailbox_log': return expand(mailboxLog, mailboxLogData(view));
    case 'verification': return fitting((limits) => expand(verification, verificationData(view, limits)));
    case 'approval': return withRefresh(expand(approval, approvalData(view)), view);
    case 'shortfall': return expand(shortfall, shortfallData(view));
    case 'credits': return expand(credits, creditsData(view));
    case 'approvals': return expand(approvals, approvalsData(view));
  }
}

/** Teams refreshes caps `userIds` at 60 (Universal Actions); a decided card has no refresh. */
export const refreshUserLimit = 60;

/**
 * Universal Actions: the listed users' clients ask for their own copy (an Action.Execute invoke),
 * which is how approvers see buttons on a card that is read-only for everyone else. Added after
 * expansion: the verb and ids must travel byte-exact, like button data.
 */
function withRefresh(card: Record<string, unknown>, view: Extract<View, { kind: 'approval' }>): Record<string, unknown> {
  if (!view.refresh || view.decision) return card;
  return {
    ...card,
    refresh: {
      action: { type: 'Action.Execute', verb: view.refresh.verb, data: { ...view.refresh.data } },
      userIds: view.refresh.userIds.slice(0, refreshUserLimit),
    },
  };
}
