import { describe, expect, it } from 'vitest';
import { isDirectChannel, normaliseMentions, parseSlackChannelKey, slackChannelKey, stripBotMention } from './slack-keys.js';

describe('slack keys and text', () => {
  it('round-trips channel keys and refuses other platforms’ keys', () => {
    expect(parseSlackChannelKey(slackChannelKey('T1', 'C9'))).toEqual({ teamId: 'T1', channelId: 'C9' });
    expect(parseSlackChannelKey('teams:19:abc@thread.tacv2')).toBeNull();
  });

  it('turns <@U123|name> into <@U123> and leaves other text alone', () => {
    expect(normaliseMentions('roles add <@U0AB12|ada> admin')).toBe('roles add <@U0AB12> admin');
    expect(normaliseMentions('scan acme <#C123|general>')).toBe('scan acme <#C123|general>');
  });

  it('removes the bot mention from an app_mention text', () => {
    expect(stripBotMention('<@UBOT> scan   acme', 'UBOT')).toBe('scan acme');
    expect(stripBotMention('<@UBOT|mailferry> roles add <@U7|bo> helpdesk', 'UBOT')).toBe('roles add <@U7> helpdesk');
  });

  it('knows DMs by their D prefix', () => {
    expect(isDirectChannel('D0123')).toBe(true);
    expect(isDirectChannel('C0123')).toBe(false);
  });
});
