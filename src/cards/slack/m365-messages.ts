import type { M365ConnectView } from '../views-m365.js';
import { ActionIds, button, context, esc, header, lineSections, plain, section, slackLimits, type SlackBlock } from './blocks.js';

/** Connecting a side to Microsoft 365: the consent link, the permissions and why, the manual way. */
export function m365ConnectBlocks(view: M365ConnectView, ids: ActionIds): SlackBlock[] {
  const side = view.side === 'source' ? 'source' : 'destination';
  const lines = view.permissions.slice(0, 12).map((p) => `• *${esc(p.name)}* — ${esc(p.why)}`);
  // A link button opens Microsoft's page in the browser; Slack still reports the click, which the bot ignores.
  const consent = view.consentUrl && view.consentUrl.length <= 3000
    ? [{ type: 'button', text: plain('Grant admin consent', slackLimits.buttonText), url: view.consentUrl, action_id: ids.id('m365.consent'), style: 'primary' }]
    : [];
  const elements = [...consent, ...view.actions.slice(0, slackLimits.actionsElements - 1).map((b) => button(b, ids))];
  return [
    header(`Connect the ${side} of ${view.projectName} (Microsoft 365)`),
    section(view.consentUrl
      ? 'Sign in as a Global Administrator of the tenant and grant mailferry’s app these permissions. Microsoft sends you back; mailferry checks that it can get a token in your tenant before it saves anything.'
      : 'Enter the tenant id, client id and client secret (or certificate) of an app registration in your tenant that has these application permissions, with admin consent granted.'),
    ...(view.consentProblem ? [section(`⚠️ ${esc(view.consentProblem)}`)] : []),
    section('*Application permissions, and why*'),
    ...lineSections(lines, 2).blocks,
    ...(view.consentUrl ? [context('Prefer your own app registration? Enter its tenant id, client id and secret or certificate instead.')] : []),
    ...(elements.length ? [{ type: 'actions', elements }] : []),
  ];
}

export function m365ConnectText(view: M365ConnectView): string {
  return `Connect the ${view.side} of ${view.projectName} (Microsoft 365)${view.consentUrl ? ': grant admin consent or enter tenant credentials' : ''}`;
}
