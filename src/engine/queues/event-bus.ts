import { Redis } from 'ioredis';
import type { EngineEvent } from '../api.js';
import type { EngineLog } from '../context.js';

/** Run events over Redis pub/sub, so a notifier in a web process hears a worker in another. */
export function eventChannel(prefix: string): string {
  return `${prefix}:events`;
}

export async function publishEvent(redis: Redis, prefix: string, event: EngineEvent): Promise<void> {
  await redis.publish(eventChannel(prefix), JSON.stringify(event));
}

/** A dedicated connection per subscription: a subscribed ioredis connection can do nothing else. */
export async function subscribeEvents(redisUrl: string, prefix: string, log: EngineLog, handler: (event: EngineEvent) => void): Promise<() => Promise<void>> {
  const sub = new Redis(redisUrl, { maxRetriesPerRequest: null });
  // Without a listener ioredis prints every failed reconnect as an unhandled error.
  sub.on('error', (error) => log.warn({ err: error.message }, 'event subscription: redis connection error'));
  const channel = eventChannel(prefix);
  sub.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    try {
      handler(JSON.parse(message) as EngineEvent);
    } catch (error) {
      log.warn({ err: error }, 'engine event handler failed');
    }
  });
  await sub.subscribe(channel);
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    await sub.unsubscribe(channel).catch(() => undefined);
    await sub.quit().catch(() => sub.disconnect());
  };
}
