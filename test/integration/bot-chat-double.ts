import type { FormView, View } from '../../src/cards/views.js';
import type { ChatContext, ChatSender, MessageRef } from '../../src/bot/context.js';

/**
 * An in-memory chat for driving the dispatcher: every answer is recorded with how it was sent,
 * so tests can assert what a person would see (in the channel, privately, as a form).
 */
export interface Said {
  how: 'reply' | 'private' | 'update' | 'form' | 'respond' | 'file';
  view: View;
  file?: { name: string; content: string };
}

export interface RecordingContext extends ChatContext {
  said: Said[];
  last(how?: Said['how']): View;
}

let nextMessage = 1;

export function recordingContext(props: {
  orgId?: string;
  userId: string;
  userName?: string;
  platformAdmin?: boolean;
  channelKey?: string;
  attachments?: { name: string; text: string }[];
}): RecordingContext {
  const said: Said[] = [];
  const channelKey = props.channelKey ?? 'slack:T-bot:C-general';
  const ctx: RecordingContext = {
    platform: channelKey.startsWith('teams:') ? 'teams' : 'slack',
    org: { id: props.orgId ?? 'slack:T-bot', name: 'Bot test org' },
    actor: { id: props.userId, name: props.userName ?? props.userId, platformAdmin: props.platformAdmin ?? false },
    channel: { key: channelKey, direct: false },
    said,
    ...(props.attachments ? { attachments: props.attachments } : {}),
    async reply(view) {
      said.push({ how: 'reply', view });
      return { channelKey, messageId: `msg-${nextMessage++}` };
    },
    async replyPrivately(view) {
      said.push({ how: 'private', view });
    },
    async update(_ref, view) {
      said.push({ how: 'update', view });
    },
    async openForm(form: FormView) {
      said.push({ how: 'form', view: form });
    },
    async respond(view) {
      said.push({ how: 'respond', view });
    },
    async sendFile(name, content, comment) {
      said.push({ how: 'file', view: { kind: 'notice', tone: 'info', title: comment }, file: { name, content } });
    },
    last(how) {
      const found = how ? said.filter((s) => s.how === how).at(-1) : said.at(-1);
      if (!found) throw new Error(`nothing was said${how ? ` as ${how}` : ''}; said: ${JSON.stringify(said.map((s) => [s.how, s.view.kind]))}`);
      return found.view;
    },
  };
  return ctx;
}

/** The notifier's side of the chat: posts and edits, in order. */
export function recordingSender(platform: 'slack' | 'teams' = 'slack') {
  const edits: { ref: MessageRef; view: View }[] = [];
  const posts: { channelKey: string; view: View }[] = [];
  const sender: ChatSender = {
    platform,
    async post(channelKey, view) {
      posts.push({ channelKey, view });
      return { channelKey, messageId: `post-${posts.length}` };
    },
    async update(ref, view) {
      edits.push({ ref, view });
    },
  };
  return { sender, edits, posts };
}
