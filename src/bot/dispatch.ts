import { Counter, type Registry } from 'prom-client';
import type { Actor, Engine, Role } from '../engine/index.js';
import type { Env } from '../env.js';
import type { Logger } from '../log.js';
import { AppError, toAppError } from '../errors.js';
import { parseAction } from '../cards/verbs.js';
import type { ChatContext, Dispatcher } from './context.js';
import { commandList, commands } from './commands/index.js';
import { stripPrefix, suggest, tokenize } from './commands/tokenize.js';
import { isUsageError, type TurnDeps } from './commands/types.js';
import { actions } from './actions/index.js';
import { presentError, presentRefusal } from './presenters/error.js';
import { presentHelp } from './presenters/help.js';

export interface DispatcherDeps {
  engine: Engine;
  log: Logger;
  env: Env;
  /** Where chat_commands_total lives (the /metrics registry). */
  registry?: Registry;
}

type Outcome = 'ok' | 'refused' | 'bad_input' | 'failed' | 'unknown';

const COUNTER = 'chat_commands_total';

/** chat_commands_total{command,outcome}: one counter per registry, shared by dispatcher and server. */
export function chatCommandsCounter(registry: Registry): Counter<'command' | 'outcome'> {
  const existing = registry.getSingleMetric(COUNTER);
  if (existing) return existing as Counter<'command' | 'outcome'>;
  return new Counter({ name: COUNTER, help: 'Chat commands and card actions handled, by name and outcome.', labelNames: ['command', 'outcome'], registers: [registry] });
}

export function actorOf(ctx: ChatContext): Actor {
  return { orgId: ctx.org.id, orgName: ctx.org.name, userId: ctx.actor.id, userName: ctx.actor.name, platformAdmin: ctx.actor.platformAdmin };
}

/** What was attempted, for the refusal card's "You can't …". */
function describe(kind: 'command' | 'action', name: string): string {
  return kind === 'command' ? `use /migrate ${name}` : `use the “${name}” button`;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

/** Errors a person caused (or may not see) are answered privately; the rest where they asked. */
function isPrivate(error: AppError): boolean {
  // THROTTLED too: the channel that refused our post would most likely refuse the error card as well.
  return error.code === 'FORBIDDEN' || error.code === 'BAD_INPUT' || error.code === 'NOT_FOUND' || error.code === 'UNSUPPORTED' || error.code === 'THROTTLED';
}

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { engine, log } = deps;
  const counter = deps.registry ? chatCommandsCounter(deps.registry) : undefined;
  const names = commandList.filter((c) => !c.planned).map((c) => c.name);

  async function authorize(actor: Actor, roles: readonly Role[] | 'anyone', action: string): Promise<void> {
    if (roles === 'anyone') return;
    await engine.authorize(actor, roles, action);
  }

  /** Turns any failure into the right card, audits it, and never lets a stack reach chat. */
  async function fail(ctx: ChatContext, actor: Actor, kind: 'command' | 'action', name: string, roles: readonly Role[] | 'anyone', thrown: unknown): Promise<Outcome> {
    const error = toAppError(thrown);
    const action = `${kind}:${name}`;
    if (error.code === 'INTERNAL') log.error({ err: thrown, action, orgId: actor.orgId, userId: actor.userId }, 'chat turn failed');
    else log.info({ code: error.code, action, orgId: actor.orgId, userId: actor.userId }, 'chat turn refused or failed');
    if (error.code === 'FORBIDDEN') {
      // engine.authorize audited the denial already and says which roles would have done
      // (a check inside a command, e.g. `match import`, may need more than the command's roles).
      const detail = error.details ?? {};
      const allowed = stringList(detail.allowedRoles) ?? (roles === 'anyone' ? [] : [...roles]);
      const yours = stringList(detail.yourRoles) ?? (await engine.rolesOf(actor).catch(() => [] as Role[]));
      await ctx.replyPrivately(presentRefusal(describe(kind, name), allowed, yours));
      return 'refused';
    }
    await engine
      .audit(actor, { action, outcome: 'failed', detail: { code: error.code } })
      .catch((e: unknown) => log.warn({ err: e, action }, 'could not audit a failed chat turn'));
    if (isUsageError(error)) {
      await ctx.replyPrivately(presentHelp(commandList, error.userMessage));
      return 'bad_input';
    }
    const view = presentError(error, [{ label: 'Help', verb: 'help', data: {} }]);
    if (isPrivate(error)) await ctx.replyPrivately(view);
    else await ctx.reply(view);
    return error.code === 'BAD_INPUT' ? 'bad_input' : 'failed';
  }

  /** The answer itself can fail (chat API down): log it, there is nobody left to tell. */
  async function safely(turn: (label: { name: string }) => Promise<Outcome>): Promise<void> {
    const label = { name: 'unknown' };
    let outcome: Outcome = 'failed';
    try {
      outcome = await turn(label);
    } catch (error) {
      log.error({ err: error, command: label.name }, 'could not answer in chat');
    } finally {
      counter?.inc({ command: label.name, outcome });
    }
  }

  async function command(ctx: ChatContext, text: string): Promise<void> {
    const actor = actorOf(ctx);
    await safely(async (label) => {
      let words: string[];
      try {
        words = stripPrefix(tokenize(text));
      } catch (error) {
        return fail(ctx, actor, 'command', 'parse', 'anyone', error);
      }
      const [verb, ...args] = words;
      if (!verb) {
        label.name = 'help';
        await ctx.reply(presentHelp(commandList));
        return 'ok';
      }
      const found = commands.get(verb.toLowerCase());
      if (!found) {
        const guess = suggest(verb, names);
        const problem = `Unknown command “${verb.slice(0, 40)}”.${guess ? ` Did you mean “${guess}”?` : ''}`;
        await ctx.replyPrivately(presentHelp(commandList, problem));
        return 'unknown';
      }
      label.name = found.name;
      try {
        await authorize(actor, found.roles, `command:${found.name}`);
        await found.run(ctx, args, { ...deps, actor });
        return 'ok';
      } catch (error) {
        return fail(ctx, actor, 'command', found.name, found.roles, error);
      }
    });
  }

  async function action(ctx: ChatContext, verb: unknown, data: unknown): Promise<void> {
    const actor = actorOf(ctx);
    const parsed = parseAction(verb, data);
    await safely(async (label) => {
      label.name = `action:${parsed.ok ? parsed.action.verb : 'unknown'}`;
      if (!parsed.ok) {
        log.warn({ verb: String(verb).slice(0, 40), orgId: actor.orgId, userId: actor.userId }, 'card action refused');
        return fail(ctx, actor, 'action', String(verb).slice(0, 40), 'anyone', new AppError('BAD_INPUT', `${parsed.problem} The card may be out of date; ask for it again.`));
      }
      const handler = actions[parsed.action.verb];
      try {
        await authorize(actor, handler.roles, `action:${handler.name}`);
        // The registry pairs each verb with its payload type; TypeScript cannot follow the union.
        await (handler.run as (c: ChatContext, p: unknown, d: TurnDeps) => Promise<void>)(ctx, parsed.action.payload, { ...deps, actor });
        return 'ok';
      } catch (error) {
        return fail(ctx, actor, 'action', handler.name, handler.roles, error);
      }
    });
  }

  return { command, action };
}
