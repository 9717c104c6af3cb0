import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import type { View } from '../../cards/views.js';
import { renderTeamsCard } from '../../cards/teams/render.js';

/** A message activity carrying the view's Adaptive Card (engineer C's renderer does the card). */
export function cardActivity(view: View): Partial<Activity> {
  const activity = MessageFactory.attachment(CardFactory.adaptiveCard(adaptiveCardOf(view)));
  activity.summary = viewText(view).slice(0, 200);
  return activity;
}

export function adaptiveCardOf(view: View): Record<string, unknown> {
  return renderTeamsCard(view);
}

/**
 * One or two sentences for places that take text only: the message an invoke returns when the
 * answer is private (a refusal), and notification previews.
 */
export function viewText(view: View): string {
  switch (view.kind) {
    case 'm365_connect':
      return `Connect the ${view.side} of ${view.projectName} (Microsoft 365)`;
    case 'refusal': {
      const yours = view.yourRoles.length ? `Your roles: ${view.yourRoles.join(', ')}.` : 'You have no mailferry role in this organisation.';
      return `You can't ${view.action}: it needs the ${view.allowedRoles.join(' or ')} role. ${yours} Ask an admin: roles add <you> <role>.`;
    }
    case 'error':
      return `${view.title}: ${view.message}${view.details?.length ? ` (${view.details.slice(0, 3).join('; ')})` : ''}`;
    case 'notice':
      return [view.title, view.text].filter(Boolean).join(': ');
    case 'help':
      return [view.problem, `Commands: ${view.commands.map((c) => c.usage).join(', ')}`].filter(Boolean).join(' ');
    case 'form':
      return [view.title, view.error].filter(Boolean).join(': ');
    case 'project':
      return `${view.title ?? `Project ${view.name}`}: ${view.nextStep}`;
    case 'project_list':
      return `${view.projects.length + view.more} project(s)`;
    case 'connect_result':
      return `${view.projectName} ${view.side}: ${view.ok ? 'connected' : 'not connected'}. ${view.summary}`;
    case 'scan':
      return `Scan of ${view.projectName}: ${view.status}, ${view.progressText}`;
    case 'match_review':
      return `Matching for ${view.projectName}: ${view.counts.needs_review} need review${view.notice ? `. ${view.notice}` : ''}`;
    case 'roles':
      return view.notice ?? `${view.entries.length} role assignment(s)`;
    case 'status':
      return `${view.projectName}: ${view.stage}`;
    case 'run':
      return `${view.mode} run of ${view.projectName}: ${view.status}, ${view.progressText}`;
    case 'mailbox_status':
      return `${view.address}: ${Math.round(view.percent)} % · ${view.healthText}`;
    case 'mailbox_log':
      return `Log of ${view.address}, page ${view.page + 1} of ${Math.max(1, view.pageCount)}`;
    case 'verification':
      return `Verification of ${view.projectName}: ${view.consistencyPercent} % consistent. ${view.summary}`;
    case 'approval':
      return view.decision ? `${view.projectName}: ${view.decision.headline}` : `Approval needed: ${view.modeLabel} of ${view.projectName}, requested by ${view.requestedBy}`;
    case 'shortfall':
      return `Not enough credits for a full run of ${view.projectName}: ${view.facts.map((f) => `${f.label} ${f.value}`).join(', ')}`;
    case 'credits':
      return `Credits: ${view.facts.map((f) => `${f.label} ${f.value}`).join(', ')}`;
    case 'approvals':
      return view.holds.length ? `${view.holds.length + view.more} hold(s) waiting for an approver` : 'Nothing is waiting for an approver.';
  }
}
