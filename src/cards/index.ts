/** The cards module: view models in, Adaptive Cards 1.5 (Teams) or Block Kit (Slack) out. Pure. */
export type * from './views.js';
export { verbs, isVerb, parseAction, type Verb, type VerbPayload, type ParsedAction } from './verbs.js';
export { overrideInputId, readOverrideDestination } from './match-actions.js';
export { renderTeamsCard, renderTeamsCardChecked, teamsCardBudgetBytes, teamsCardBytes } from './teams/render.js';
export { renderSlackMessage, renderSlackModal, slackFormErrors, type SlackBlock, type SlackText, type SlackModalView } from './slack/render.js';
export {
  decodeSlackAction, readSlackModalValues, readSlackModalSubmission, type SlackActionInput, type SlackStateValue,
} from './slack/codec.js';
