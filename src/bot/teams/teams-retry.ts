import { AppError } from '../../errors.js';

/** Statuses the Bot Connector uses for "slow down / try again": throttled, precondition race, gateway. */
const RETRYABLE = new Set([429, 412, 502, 504]);

export interface BackoffOptions {
  tries?: number;
  baseMs?: number;
  /** Longest single wait, whatever Retry-After says (a living card can wait for the next edit). */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface HttpishError {
  statusCode?: number;
  response?: { status?: number; headers?: { get?(name: string): string | undefined | null } };
}

export function statusOf(error: unknown): number | undefined {
  const e = error as HttpishError | null;
  return e?.statusCode ?? e?.response?.status;
}

function retryAfterMs(error: unknown): number | undefined {
  const header = (error as HttpishError | null)?.response?.headers?.get?.('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * Runs a Bot Connector call, retrying throttling and transient gateway answers with exponential
 * backoff plus jitter (honouring Retry-After); after the last try the failure becomes THROTTLED.
 */
export async function withBackoff<T>(call: () => Promise<T>, options: BackoffOptions = {}): Promise<T> {
  // The connector client's own pipeline already retries 429/5xx three times per call.
  const tries = options.tries ?? 3;
  const base = options.baseMs ?? 300;
  const maxWait = options.maxWaitMs ?? 10_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined || !RETRYABLE.has(status)) throw error;
      const hinted = retryAfterMs(error);
      if (attempt >= tries) {
        throw new AppError('THROTTLED', 'Microsoft Teams is busy and asked mailferry to slow down. The card will catch up on the next update; try again in a minute.', {
          retryAfterMs: hinted ?? base * 2 ** attempt,
          cause: error,
        });
      }
      const backoff = base * 2 ** (attempt - 1);
      await sleep(Math.min(maxWait, Math.max(hinted ?? 0, backoff) + Math.random() * base));
    }
  }
}
