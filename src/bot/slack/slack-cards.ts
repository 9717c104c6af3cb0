/**
 * The one seam between the Slack adapter and the Block Kit renderers and codec of src/cards/slack
 * (engineer C's): messages, modals, and decoding what Slack sends back.
 */
export { renderSlackMessage, renderSlackModal, slackFormErrors, type SlackModalView } from '../../cards/slack/render.js';
export { decodeSlackAction, readSlackModalSubmission, type SlackActionInput, type SlackStateValue } from '../../cards/slack/codec.js';
