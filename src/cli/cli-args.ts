import { AppError } from '../errors.js';

export interface CliArgs {
  words: string[];
  flags: Record<string, string>;
  /** Switches that take no value (--wait, --approve). */
  switches: Set<string>;
  json: boolean;
}

/** Flags that never take a value: `--wait` must not swallow the word after it. */
const SWITCHES = new Set(['json', 'wait', 'approve', 'help', 'csv']);

/** `roles add --org X --user U --role admin --json` → words [roles, add], flags {org, user, role}. */
export function parseArgs(argv: string[]): CliArgs {
  const words: string[] = [];
  const flags: Record<string, string> = {};
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      if (SWITCHES.has(name) && inline === undefined) {
        switches.add(name);
        continue;
      }
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new AppError('BAD_INPUT', `--${name} needs a value.`);
      flags[name] = value;
    } else words.push(arg);
  }
  return { words, flags, switches, json: switches.has('json') };
}

export function requireFlag(args: CliArgs, name: string): string {
  const value = args.flags[name]?.trim();
  if (!value) throw new AppError('BAD_INPUT', `Give --${name}; run with no arguments to see the commands.`);
  return value;
}

/** The one positional word after `project <verb>`: the project's name. */
export function requireName(args: CliArgs): string {
  const name = args.words.slice(2).join(' ').trim();
  if (!name) throw new AppError('BAD_INPUT', `Give the project's name: \`project ${args.words[1] ?? '<command>'} <name>\`.`);
  return name;
}
