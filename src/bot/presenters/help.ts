import type { HelpView } from '../../cards/views.js';

export interface HelpEntry {
  usage: string;
  description: string;
  planned?: boolean;
}

/** Commands that work today; planned ones answer with a notice instead of cluttering help. */
export function presentHelp(commands: readonly HelpEntry[], problem?: string): HelpView {
  return {
    kind: 'help',
    ...(problem ? { problem } : {}),
    commands: commands.filter((c) => !c.planned).map((c) => ({ usage: `/migrate ${c.usage}`, description: c.description })),
  };
}
