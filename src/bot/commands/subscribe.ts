import type { SubscriptionTopic } from '../../engine/index.js';
import type { Command } from './types.js';
import { usageError } from './types.js';

export const TOPICS: readonly SubscriptionTopic[] = ['progress', 'health', 'credits'];

const topicWords: Record<SubscriptionTopic, string> = {
  progress: 'run progress',
  health: 'mailbox health alerts',
  credits: 'credit balance changes',
};

export const subscribeCommand: Command = {
  name: 'subscribe',
  usage: 'subscribe <project> [progress|health|credits]…',
  description: 'Follow a project in this channel: run progress, health alerts and credit changes (all three unless you name some).',
  roles: ['admin'],
  async run(ctx, args, { engine, actor }) {
    const [project, ...words] = args;
    if (!project) throw usageError(this, '“subscribe” needs a project name.');
    const topics = words.map((w) => w.toLowerCase().replace(/,$/, '')) as SubscriptionTopic[];
    const wrong = topics.find((t) => !TOPICS.includes(t));
    if (wrong) throw usageError(this, `“${wrong.slice(0, 20)}” is not a topic: use progress, health or credits.`);
    const chosen = topics.length ? [...new Set(topics)] : [...TOPICS];
    const sub = await engine.subscribe(actor, { project, channelKey: ctx.channel.key, topics: chosen });
    await ctx.reply({
      kind: 'notice',
      tone: 'success',
      title: `This channel follows ${sub.projectName}`,
      text: `It gets ${sub.topics.map((t) => topicWords[t]).join(', ')}. Stop with: unsubscribe ${sub.projectName}`,
    });
  },
};
