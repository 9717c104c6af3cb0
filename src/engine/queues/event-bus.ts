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

const QUIT_TIMEOUT_MS = 1500;
const SUBSCRIBE_WAIT_MS = 3000;

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
  // With Redis down SUBSCRIBE waits in the offline queue; ioredis sends it once connected, so do not block the caller on it.
  const subscribed = sub.subscribe(channel).then(() => true, () => false);
  let wait: NodeJS.Timeout | undefined;
  const ok = await Promise.race([subscribed, new Promise<boolean>((resolve) => { wait = setTimeout(() => resolve(false), SUBSCRIBE_WAIT_MS); })]);
  clearTimeout(wait);
  if (!ok) log.warn({ channel }, 'event subscription not confirmed yet (Redis unreachable?): it starts once Redis answers');
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    // Bounded: with Redis down, UNSUBSCRIBE and QUIT would wait in the offline queue forever.
    const clean = sub.status === 'ready' && await quitWithin(sub, channel, QUIT_TIMEOUT_MS);
    if (!clean) sub.disconnect();
  };
}

async function quitWithin(sub: Redis, channel: string, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  const quit = (async () => {
    await sub.unsubscribe(channel);
    await sub.quit();
  })().then(() => true, () => false);
  try {
    return await Promise.race([quit, late]);
  } finally {
    clearTimeout(timer);
  }
}
