import { AppError } from '../errors.js';

export interface CliArgs {
  words: string[];
  flags: Record<string, string>;
  json: boolean;
}

/** `roles add --org X --user U --role admin --json` → words [roles, add], flags {org, user, role}. */
export function parseArgs(argv: string[]): CliArgs {
  const words: string[] = [];
  const flags: Record<string, string> = {};
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--json') json = true;
    else if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new AppError('BAD_INPUT', `--${name} needs a value.`);
      flags[name] = value;
    } else words.push(arg);
  }
  return { words, flags, json };
}

export function requireFlag(args: CliArgs, name: string): string {
  const value = args.flags[name]?.trim();
  if (!value) throw new AppError('BAD_INPUT', `Give --${name}; run with no arguments to see the commands.`);
  return value;
}
