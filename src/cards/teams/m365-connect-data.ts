import type { M365ConnectView } from '../views-m365.js';
import { truncate } from '../text.js';
import { teamsActions } from './actions.js';
import template from './m365-connect.json' with { type: 'json' };

type Expand = (template: object, data: object) => Record<string, unknown>;

export function m365ConnectData(view: M365ConnectView) {
  const side = view.side === 'source' ? 'source' : 'destination';
  return {
    heading: `Connect the ${side} of ${view.projectName} (Microsoft 365)`,
    intro: view.consentUrl
      ? 'Sign in as a Global Administrator of the tenant and grant mailferry’s app these permissions. Microsoft sends you back here; mailferry checks that it can get a token in your tenant before it saves anything.'
      : 'Enter the tenant id, client id and client secret (or certificate) of an app registration in your tenant that has these application permissions, with admin consent granted.',
    consentProblem: view.consentProblem ? truncate(view.consentProblem, 600) : '',
    permissions: view.permissions.slice(0, 12).map((p) => ({ name: truncate(p.name, 60), why: truncate(p.why, 300) })),
    manualText: view.consentUrl ? 'Prefer your own app registration? Enter its tenant id, client id and secret or certificate instead.' : '',
    actions: teamsActions(view.actions),
  };
}

/**
 * The card, with the consent link added after expansion: a URL must travel byte-exact, and the
 * templating step rewrites display text.
 */
export function m365ConnectCard(view: M365ConnectView, expand: Expand): Record<string, unknown> {
  const card = expand(template, m365ConnectData(view));
  if (!view.consentUrl) return card;
  const consent = { type: 'Action.OpenUrl', title: 'Grant admin consent', url: view.consentUrl, style: 'positive' };
  return { ...card, actions: [consent, ...((card.actions as unknown[] | undefined) ?? [])] };
}
