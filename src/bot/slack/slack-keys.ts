/**
 * Slack identifiers in mailferry's platform-neutral keys, and the text clean-up every turn gets.
 * Org `slack:<team>`, channel `slack:<team>:<channel>`; the proactive sender reads the channel back
 * out of the key.
 */
export function slackOrgId(teamId: string): string {
  return `slack:${teamId}`;
}

export function slackChannelKey(teamId: string, channelId: string): string {
  return `slack:${teamId}:${channelId}`;
}

export function parseSlackChannelKey(key: string): { teamId: string; channelId: string } | null {
  const match = /^slack:([^:]+):([^:]+)$/.exec(key);
  return match ? { teamId: match[1]!, channelId: match[2]! } : null;
}

/** Slack sends `<@U123|alex>` in slash command text; everything downstream expects `<@U123>`. */
export function normaliseMentions(text: string): string {
  return text.replace(/<@([UW][A-Z0-9]+)\|[^>]*>/g, '<@$1>');
}

/** The text of an @mention message without the leading mention of the bot. */
export function stripBotMention(text: string, botUserId: string | undefined): string {
  const withoutBot = botUserId ? text.replace(new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g'), ' ') : text;
  return normaliseMentions(withoutBot).replace(/\s+/g, ' ').trim();
}

/** Direct-message channels start with D (DESIGN: private answers may go there). */
export function isDirectChannel(channelId: string): boolean {
  return channelId.startsWith('D');
}
