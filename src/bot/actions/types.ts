import type { Role } from '../../engine/index.js';
import type { Verb, VerbPayload } from '../../cards/verbs.js';
import type { ChatContext } from '../context.js';
import type { TurnDeps } from '../commands/types.js';

/** One card verb (button or form submit); the payload is already validated by cards/verbs.ts. */
export interface Action<V extends Verb> {
  name: V;
  description: string;
  roles: readonly Role[] | 'anyone';
  run(ctx: ChatContext, payload: VerbPayload<V>, deps: TurnDeps): Promise<void>;
}

/** The registry must cover every verb: a verb without a handler is a type error. */
export type ActionRegistry = { [V in Verb]: Action<V> };
