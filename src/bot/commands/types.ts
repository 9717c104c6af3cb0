import type { Actor, Engine, Role } from '../../engine/index.js';
import type { Env } from '../../env.js';
import type { Logger } from '../../log.js';
import type { ChatContext } from '../context.js';
import { AppError } from '../../errors.js';

export interface BotDeps {
  engine: Engine;
  log: Logger;
  env: Env;
}

/** What a command or action handler gets: the bot's dependencies plus who is acting. */
export interface TurnDeps extends BotDeps {
  actor: Actor;
}

export interface Command {
  name: string;
  /** After `/migrate `, e.g. `scan <project>`. */
  usage: string;
  description: string;
  /** Checked by the dispatcher with engine.authorize before run(). */
  roles: readonly Role[] | 'anyone';
  /** Announced but not built yet: hidden from help, answered with a notice. */
  planned?: boolean;
  run(ctx: ChatContext, args: string[], deps: TurnDeps): Promise<void>;
}

/** Malformed input: the dispatcher answers with the help card carrying this problem. */
export function usageError(command: Pick<Command, 'usage'>, problem: string): AppError {
  return new AppError('BAD_INPUT', `${problem} Usage: /migrate ${command.usage}`, { details: { usage: command.usage } });
}

export function isUsageError(error: unknown): boolean {
  return AppError.is(error, 'BAD_INPUT') && typeof error.details?.usage === 'string';
}
