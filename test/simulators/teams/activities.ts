import { randomUUID } from 'node:crypto';

/**
 * Builds Bot Framework activities as Teams sends them and posts them to the bot's /api/messages.
 * `serviceUrl` points at the connector simulator, so everything the bot sends back lands there.
 */
export const TENANT_ID = '00000000-0000-0000-0000-0000000000001';
export const BOT = { id: '28:mailferry-bot', name: 'mailferry' };

export interface TeamsUser {
  id: string;
  name: string;
  aadObjectId: string;
}

export const ALEX: TeamsUser = { id: 'user-id-0', name: 'Alex Wilber', aadObjectId: '00000000-0000-0000-0000-0000000000020' };
export const MEGAN: TeamsUser = { id: 'user-id-1', name: 'Megan Bowen', aadObjectId: '00000000-0000-0000-0000-0000000000021' };

export interface ConversationSpec {
  id: string;
  type: 'personal' | 'channel' | 'groupChat';
}

export const channelConversation = (name = 'general'): ConversationSpec => ({ id: `19:${name}@thread.tacv2`, type: 'channel' });
export const personalConversation = (user: TeamsUser): ConversationSpec => ({ id: `a:personal-${user.id}`, type: 'personal' });

export class TeamsClient {
  constructor(
    readonly appUrl: string,
    readonly serviceUrl: string,
    readonly tenantId = TENANT_ID,
  ) {}

  private base(type: string, user: TeamsUser, conversation: ConversationSpec): Record<string, unknown> {
    return {
      type,
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: this.serviceUrl,
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      recipient: { id: BOT.id, name: BOT.name },
      conversation: { id: conversation.id, conversationType: conversation.type, tenantId: this.tenantId, isGroup: conversation.type !== 'personal' },
      channelData: {
        tenant: { id: this.tenantId },
        ...(conversation.type === 'channel' ? { team: { id: '19:team@thread.tacv2', name: 'Migration team' }, channel: { id: conversation.id, name: 'General' } } : {}),
      },
      locale: 'en-US',
    };
  }

  /** A message; in channels and group chats the bot is @mentioned first, as Teams requires. */
  message(user: TeamsUser, conversation: ConversationSpec, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const mention = conversation.type === 'personal' ? null : `<at>${BOT.name}</at>`;
    return {
      ...this.base('message', user, conversation),
      text: mention ? `${mention} ${text}` : text,
      textFormat: 'plain',
      entities: mention ? [{ type: 'mention', text: mention, mentioned: { id: BOT.id, name: BOT.name } }] : [],
      ...extra,
    };
  }

  /** Action.Execute click: `adaptiveCard/action` with verb and data (inputs merged into data, as Teams does). */
  invoke(user: TeamsUser, conversation: ConversationSpec, verb: string, data: Record<string, unknown>, replyToId = 'act-card'): Record<string, unknown> {
    return {
      ...this.base('invoke', user, conversation),
      name: 'adaptiveCard/action',
      replyToId,
      value: { action: { type: 'Action.Execute', verb, data: { verb, ...data } }, trigger: 'manual' },
    };
  }

  conversationUpdate(user: TeamsUser, conversation: ConversationSpec): Record<string, unknown> {
    return { ...this.base('conversationUpdate', user, conversation), membersAdded: [{ id: BOT.id }] };
  }

  /** POSTs an activity; the response body of an invoke is the invoke response. */
  async post(activity: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    const res = await fetch(new URL('/api/messages', this.appUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(activity),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body };
  }

  /** A message with a file attached in Teams (a `file.download.info` attachment). */
  messageWithFile(user: TeamsUser, conversation: ConversationSpec, text: string, file: { name: string; downloadUrl: string }): Record<string, unknown> {
    const fileType = file.name.split('.').pop() ?? '';
    return this.message(user, conversation, text, {
      attachments: [{ contentType: 'application/vnd.microsoft.teams.file.download.info', name: file.name, contentUrl: file.downloadUrl, content: { downloadUrl: file.downloadUrl, uniqueId: randomUUID(), fileType } }],
    });
  }

  send(user: TeamsUser, conversation: ConversationSpec, text: string): Promise<{ status: number; body: unknown }> {
    return this.post(this.message(user, conversation, text));
  }

  click(user: TeamsUser, conversation: ConversationSpec, verb: string, data: Record<string, unknown>, replyToId?: string): Promise<{ status: number; body: unknown }> {
    return this.post(this.invoke(user, conversation, verb, data, replyToId));
  }
}
