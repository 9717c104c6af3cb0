/**
 * Slack re-delivers an Events API event it believes was missed (no 2xx within 3 s, a 5xx, a broken
 * connection): over HTTP with `X-Slack-Retry-Num` / `X-Slack-Retry-Reason`, over Socket Mode with the
 * envelope's `retry_attempt` / `retry_reason`, each time with the same `event_id`. A mention or DM is a
 * command (`scan`, `launch`), so each event id is claimed once in Redis (SET NX with a TTL, shared by
 * every web replica) and a later delivery of it is dropped. Bolt has already acknowledged the delivery
 * with 200 by then, so Slack stops retrying. Slash commands and interactions are not re-delivered by
 * Slack (the user sees a timeout instead), so only events are claimed.
 */
import type { Middleware, AnyMiddlewareArgs } from '@slack/bolt';
import { Redis } from 'ioredis';
import type { Logger } from '../../log.js';

/** Slack retries for about 5 minutes (immediately, after 1 min, after 5 min); one hour leaves room. */
const CLAIM_TTL_MS = 60 * 60 * 1000;
/** A claim that Redis does not answer in time is given up: the event runs rather than being lost. */
const CLAIM_TIMEOUT_MS = 1000;

export interface SlackDeliveries {
  /** True the first time an event id is seen (run it), false for a re-delivery (skip it). */
  claim(teamId: string, eventId: string): Promise<boolean>;
  close(): Promise<void>;
}

export function createSlackDeliveries(props: { redisUrl: string; prefix: string; log: Logger }): SlackDeliveries {
  const { log } = props;
  // One try per command: a claim must not hang a chat turn while Redis reconnects.
  const redis = new Redis(props.redisUrl, { maxRetriesPerRequest: 1, connectionName: 'mailferry-slack-deliveries' });
  // Without a listener ioredis prints every failed reconnect as an unhandled error.
  redis.on('error', (error: Error) => log.debug({ err: error.message }, 'slack delivery ledger: redis error'));
  return {
    async claim(teamId, eventId) {
      const key = `${props.prefix}:slack:event:${teamId}:${eventId}`;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), CLAIM_TIMEOUT_MS);
      });
      try {
        const answer = await Promise.race([redis.set(key, String(Date.now()), 'PX', CLAIM_TTL_MS, 'NX'), timeout]);
        if (answer === 'timeout') throw new Error(`no answer within ${CLAIM_TIMEOUT_MS} ms`);
        return answer === 'OK';
      } catch (error) {
        // Better a rare duplicate (the engine refuses a second scan or launch with CONFLICT) than a lost command.
        log.warn({ err: error instanceof Error ? error.message : String(error), eventId }, 'could not record a Slack event id; handling it anyway');
        return true;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      // QUIT waits for a connection that may never come back; a shutdown must end.
      let timer: NodeJS.Timeout | undefined;
      const quit = redis.quit().then(() => true, () => false);
      const gaveUp = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), CLAIM_TIMEOUT_MS);
      });
      if (!(await Promise.race([quit, gaveUp]))) redis.disconnect();
      clearTimeout(timer);
    },
  };
}

/** Bolt global middleware: events whose id was already claimed stop here (already acked by Bolt). */
export function skipRedeliveries(deliveries: SlackDeliveries, log: Logger): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, next }) => {
    const event = body as { type?: string; event_id?: string; team_id?: string };
    if (event.type === 'event_callback' && typeof event.event_id === 'string') {
      const first = await deliveries.claim(event.team_id ?? context.teamId ?? '', event.event_id);
      if (!first) {
        log.info({ eventId: event.event_id, retryNum: context.retryNum, retryReason: context.retryReason }, 'slack re-delivered an event already handled; skipped');
        return;
      }
    }
    await next();
  };
}
