import type { Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { actorOf, channelOf, commandTextOf, orgOf } from './teams-activity.js';

const bot = { id: '28:bot', name: 'mailferry' };
const activity = (text: string, entities: unknown[] = [], extra: Partial<Activity> = {}): Partial<Activity> =>
  ({ type: 'message', text, entities, recipient: bot, ...extra }) as Partial<Activity>;

describe('commandTextOf', () => {
  it('removes the bot mention and keeps the command', () => {
    expect(commandTextOf(activity('<at>mailferry</at> scan acme', [{ type: 'mention', text: '<at>mailferry</at>', mentioned: bot }]))).toBe('scan acme');
  });

  it('turns user mentions into <@id>, preferring the AAD object id', () => {
    const entities = [
      { type: 'mention', text: '<at>mailferry</at>', mentioned: bot },
      { type: 'mention', text: '<at>Megan Bowen</at>', mentioned: { id: '29:megan', name: 'Megan Bowen', aadObjectId: 'aad-megan' } },
    ];
    expect(commandTextOf(activity('<at>mailferry</at> roles add <at>Megan Bowen</at> helpdesk', entities))).toBe('roles add <@aad-megan> helpdesk');
  });

  it('accepts an optional /migrate or slash, HTML from the Teams composer, and entities', () => {
    expect(commandTextOf(activity('/migrate status acme'))).toBe('status acme');
    expect(commandTextOf(activity('/help'))).toBe('help');
    expect(commandTextOf(activity('<p>match&nbsp;acme&nbsp;all</p>'))).toBe('match acme all');
  });
});

describe('identity of a turn', () => {
  const base = {
    from: { id: '29:alex', name: 'Alex Wilber', aadObjectId: 'aad-alex' },
    conversation: { id: '19:abc@thread.tacv2;messageid=123', conversationType: 'channel', tenantId: 'conv-tenant', isGroup: true, name: '' },
    channelData: { tenant: { id: 'tenant-1' }, team: { name: 'Migration team' } },
  } as unknown as Partial<Activity>;

  it('keys the org by tenant, the actor by AAD object id, the channel without the thread suffix', () => {
    expect(orgOf(base)).toEqual({ id: 'teams:tenant-1', name: 'Migration team' });
    expect(actorOf(base)).toEqual({ id: 'aad-alex', name: 'Alex Wilber', platformAdmin: false });
    expect(channelOf(base)).toEqual({ key: 'teams:19:abc@thread.tacv2', direct: false });
  });
});
