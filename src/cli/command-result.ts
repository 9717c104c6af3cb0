import type { CliArgs } from './cli-args.js';
import type { CliSession } from './cli-session.js';

/** What a command prints (text, or data with --json) and how the process exits. */
export interface CommandResult {
  data: unknown;
  text: string;
  /** 0 success (default), 2 a run finished with failures. User errors throw instead (exit 1). */
  exitCode?: number;
}

/**
 * A project command in two steps: the arguments are checked first (a typo costs no store start
 * and stores nothing), then the returned step runs with the engine open.
 */
export type ProjectCommand = (args: CliArgs) => (session: CliSession) => Promise<CommandResult>;

