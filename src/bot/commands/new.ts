import type { Command } from './types.js';
import { usageError } from './types.js';
import { presentProjectForm } from '../presenters/forms.js';
import { presentProject } from '../presenters/project.js';

/** Names people type for platforms, mapped to the engine's ids. */
const aliases: Record<string, string> = {
  microsoft365: 'm365',
  'microsoft-365': 'm365',
  o365: 'm365',
  office365: 'm365',
  exchangeonline: 'm365',
  gmail: 'google',
  workspace: 'google',
  'google-workspace': 'google',
  ews: 'exchange',
};

export function platformId(word: string): string {
  const lower = word.toLowerCase();
  return aliases[lower] ?? lower;
}

export const newCommand: Command = {
  name: 'new',
  usage: 'new [<name> <source> <destination>]',
  description: 'Create a migration project (opens a form, or give name and platforms inline, e.g. new acme imap m365).',
  roles: ['admin'],
  async run(ctx, args, { engine, actor }) {
    const platforms = engine.platforms();
    if (args.length === 0) {
      await ctx.openForm(presentProjectForm(platforms));
      return;
    }
    if (args.length !== 3) {
      const ids = platforms.filter((p) => p.available).map((p) => p.id).join(', ');
      throw usageError(this, `“new” takes a name, a source and a destination (one of ${ids}); quote names with spaces.`);
    }
    const [name, source, destination] = args as [string, string, string];
    const project = await engine.createProject(actor, {
      name,
      sourcePlatform: platformId(source),
      destinationPlatform: platformId(destination),
      channelKey: ctx.channel.key,
    });
    await ctx.reply(presentProject(project, platforms, `Project ${project.name} created`));
  },
};
