import { ActivityTypes, INVOKE_RESPONSE_KEY, type TurnContext } from 'botbuilder';
import { toAppError } from '../../errors.js';
import type { AdaptiveCard } from '@microsoft/teams-ai';
import type { InvokeOutcome } from './teams-context.js';

/**
 * Turns what a card action did into what teams-ai sends as the invoke response: the card that
 * replaces the clicked one, or a message only the clicker sees (the card stays as it was).
 */
export function invokeResponseOf(outcome: InvokeOutcome): AdaptiveCard | string {
  if (outcome.card) return { ...outcome.card, type: 'AdaptiveCard' };
  if (outcome.privateText !== undefined) return outcome.privateText;
  return outcome.posted ? 'Done: the answer is in the conversation.' : 'Done.';
}

/**
 * An invoke must never time out: a failure becomes the Universal Actions error response
 * (`application/vnd.microsoft.error`) with the user-facing sentence, never a stack trace.
 */
export async function sendInvokeError(turn: TurnContext, error: unknown): Promise<void> {
  if (turn.turnState.get(INVOKE_RESPONSE_KEY)) return;
  const appError = toAppError(error);
  const statusCode = appError.code === 'BAD_INPUT' || appError.code === 'NOT_FOUND' ? 400 : appError.code === 'FORBIDDEN' ? 403 : 500;
  await turn.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: { status: 200, body: { statusCode, type: 'application/vnd.microsoft.error', value: { code: appError.code, message: appError.userMessage } } },
  });
}
