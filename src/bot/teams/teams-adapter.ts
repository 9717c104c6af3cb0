import { TurnContext, type Activity } from 'botbuilder';
import { Application, TeamsAdapter } from '@microsoft/teams-ai';
import express from 'express';
import type { Engine } from '../../engine/index.js';
import type { Env } from '../../env.js';
import { toAppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ChatSender, Dispatcher } from '../context.js';
import { channelOf, commandTextOf, orgOf, teamsUploads } from './teams-activity.js';
import { decideTeamsAuth } from './teams-auth.js';
import { createTeamsContext, type TeamsTurnDeps } from './teams-context.js';
import { invokeResponseOf, sendInvokeError } from './teams-invoke.js';
import { TeamsSender } from './teams-sender.js';

export interface MountTeamsOptions {
  env: Env;
  engine: Engine;
  dispatcher: Dispatcher;
  log: Logger;
}

/**
 * Teams on the shared express app: POST /api/messages through botbuilder's CloudAdapter and a
 * teams-ai Application (messages → commands, Action.Execute → card actions). Every Teams SDK
 * import stays in this folder, so a move to the Microsoft 365 Agents SDK is this folder's work.
 */
export async function mountTeams(app: express.Express, options: MountTeamsOptions): Promise<{ sender: ChatSender; close(): Promise<void> }> {
  const { env, engine, dispatcher, log } = options;
  const auth = decideTeamsAuth(env);
  const appId = auth.mode === 'jwt' ? auth.appId : '';
  const adapter = new TeamsAdapter(
    auth.mode === 'jwt'
      ? { MicrosoftAppId: auth.appId, MicrosoftAppPassword: auth.password, MicrosoftAppTenantId: auth.tenantId, MicrosoftAppType: auth.tenantId ? 'SingleTenant' : 'MultiTenant' }
      : {},
  );
  adapter.onTurnError = async (turn, error) => {
    log.error({ err: toAppError(error).code, activityType: turn.activity.type }, 'teams turn failed');
    if (turn.activity.type === 'invoke') await sendInvokeError(turn, error);
  };
  const sender = new TeamsSender(adapter, appId, engine);
  const deps: TeamsTurnDeps = {
    adapter,
    appId,
    sender,
    log,
    onPrivateChat: (reference, channelKey) => saveReference(engine, log, reference, channelKey, null),
  };
  const bot = buildApplication(adapter, dispatcher, deps);

  if (auth.mode === 'refuse') log.warn({ host: env.host }, auth.reason);
  // The server has no global body parser (Slack verifies raw bytes); Teams parses its own JSON.
  app.post('/api/messages', express.json({ limit: '1mb' }), async (req, res) => {
    if (auth.mode === 'refuse') {
      res.status(401).json({ error: { code: 'Unauthorized', message: auth.reason } });
      return;
    }
    await adapter.process(req, res, async (turn) => {
      await saveReference(engine, log, TurnContext.getConversationReference(turn.activity) as unknown as Record<string, unknown>, channelOf(turn.activity).key, turn.activity);
      await bot.run(turn);
    });
  });
  log.info({ auth: auth.mode }, 'teams endpoint mounted on /api/messages');
  return { sender, close: async () => undefined };
}

function buildApplication(adapter: TeamsAdapter, dispatcher: Dispatcher, deps: TeamsTurnDeps): Application {
  const bot = new Application({ adapter, removeRecipientMention: false, startTypingTimer: false, longRunningMessages: false });

  // Every Action.Execute, whatever its verb: the dispatcher validates verbs (cards/verbs.ts).
  bot.adaptiveCards.actionExecute(async (turn) => turn.activity.type === 'invoke' && turn.activity.name === 'adaptiveCard/action', async (turn, _state, data) => {
    const verb = (turn.activity.value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
    const { ctx, outcome } = createTeamsContext(turn, deps, []);
    try {
      await dispatcher.action(ctx, verb, data);
    } catch (error) {
      deps.log.warn({ err: toAppError(error).code, verb: String(verb).slice(0, 40) }, 'teams card action failed');
      await sendInvokeError(turn, error);
      return '';
    }
    return invokeResponseOf(outcome);
  });

  bot.activity('message', async (turn) => {
    const value = turn.activity.value as Record<string, unknown> | undefined;
    const text = commandTextOf(turn.activity);
    // Attached files are fetched only if the command wants them (match <project> import).
    const { ctx } = createTeamsContext(turn, deps, teamsUploads(turn.activity));
    // Action.Submit (older clients) arrives as a message whose value carries the verb.
    if (value && typeof value === 'object' && !text) return dispatcher.action(ctx, value.verb, value);
    await dispatcher.command(ctx, text);
  });
  return bot;
}

/** aadObjectId → MRI pairs this process has already stored (one write per user, not per message). */
const aliasesSaved = new Set<string>();

/** Roles key on aadObjectIds; Teams card refreshes (refresh.userIds) name users by their MRI (`29:…`): remember both. */
async function saveAliases(engine: Engine, orgId: string, activity: Partial<Activity>): Promise<void> {
  const users = [activity.from, ...(activity.entities ?? []).filter((e) => e.type === 'mention').map((e) => (e as { mentioned?: { id?: string; aadObjectId?: string } }).mentioned)];
  for (const user of users) {
    if (!user?.aadObjectId || !user.id || user.id === activity.recipient?.id) continue;
    const key = `${orgId}|${user.aadObjectId}|${user.id}`;
    if (aliasesSaved.has(key)) continue;
    await engine.saveUserAlias({ orgId, userId: user.aadObjectId, alias: user.id });
    aliasesSaved.add(key);
  }
}

async function saveReference(engine: Engine, log: Logger, reference: Record<string, unknown>, channelKey: string, activity: Partial<Activity> | null): Promise<void> {
  try {
    const orgId = activity ? orgOf(activity).id : `teams:${String((reference.conversation as { tenantId?: string } | undefined)?.tenantId ?? 'unknown')}`;
    await engine.saveConversationRef({ channelKey, orgId, platform: 'teams', reference });
    if (activity) await saveAliases(engine, orgId, activity);
  } catch (error) {
    // Losing a reference only delays proactive cards; the turn itself must still be answered.
    log.warn({ err: toAppError(error).code, channelKey }, 'could not save the Teams conversation reference');
  }
}
