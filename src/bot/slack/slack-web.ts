/**
 * Every Web API call mailferry makes goes through `SlackWeb.call`: a 429 is waited out once (for
 * the seconds Slack's Retry-After asked, up to a cap), a second 429 becomes AppError THROTTLED with
 * retryAfterMs so the notifier can reschedule, and a platform error keeps Slack's error string
 * (`not_in_channel`, `trigger_expired`…) so callers can fall back on the ones they expect.
 */
import { webApi } from '@slack/bolt';
import { AppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { boltLogger } from './slack-logger.js';

type Args = Record<string, unknown>;
export type SlackResult = Record<string, unknown> & { ok: boolean };

/** A Slack platform error (`{ ok: false, error }`) with Slack's own error string. */
export class SlackCallError extends Error {
  constructor(readonly method: string, readonly slackError: string) {
    super(`Slack ${method} failed: ${slackError}`);
    this.name = 'SlackCallError';
  }
}

export function slackErrorOf(error: unknown): string | undefined {
  return error instanceof SlackCallError ? error.slackError : undefined;
}

/** Longest Retry-After we sit through inside a chat turn; longer ones go back to the caller. */
const MAX_INLINE_WAIT_MS = 30_000;

export interface SlackWebOptions {
  token: string;
  /** SLACK_API_URL; WebClient wants the trailing `/api/`. */
  apiUrl?: string;
  log: Logger;
}

export function normaliseApiUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return url.endsWith('/') ? url : `${url}/`;
}

export class SlackWeb {
  readonly client: InstanceType<typeof webApi.WebClient>;
  private readonly log: Logger;

  constructor(options: SlackWebOptions) {
    this.log = options.log;
    this.client = new webApi.WebClient(options.token, {
      slackApiUrl: normaliseApiUrl(options.apiUrl),
      // We handle 429 ourselves (wait once, then surface THROTTLED) instead of the SDK's
      // ten retries over thirty minutes, which would hold a chat turn hostage.
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 1, minTimeout: 200, maxTimeout: 500 },
      logger: boltLogger(options.log),
      timeout: 15_000,
    });
  }

  async call(method: string, args: Args): Promise<SlackResult> {
    try {
      return await this.once(method, args);
    } catch (error) {
      const waitMs = retryAfterMs(error);
      if (waitMs === undefined) throw error;
      if (waitMs > MAX_INLINE_WAIT_MS) throw throttled(method, waitMs);
      this.log.warn({ method, retryAfterMs: waitMs }, 'slack rate limited; retrying once');
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      try {
        return await this.once(method, args);
      } catch (second) {
        const again = retryAfterMs(second);
        if (again !== undefined) throw throttled(method, again);
        throw second;
      }
    }
  }

  /** files.uploadV2 is a helper over three calls (getUploadURLExternal, upload, completeUploadExternal). */
  async uploadText(props: { channel: string; filename: string; content: string; comment: string; threadTs?: string }): Promise<void> {
    const args = {
      channel_id: props.channel,
      filename: props.filename,
      title: props.filename,
      content: props.content,
      initial_comment: props.comment,
      ...(props.threadTs ? { thread_ts: props.threadTs } : {}),
    };
    // The SDK's argument type is a union keyed on channel/thread combinations; this one is valid.
    await this.client.filesUploadV2(args as Parameters<typeof this.client.filesUploadV2>[0]);
  }

  private async once(method: string, args: Args): Promise<SlackResult> {
    try {
      return (await this.client.apiCall(method, args)) as SlackResult;
    } catch (error) {
      const coded = error as { code?: string; data?: { error?: string } };
      if (coded.code === webApi.ErrorCode.PlatformError) throw new SlackCallError(method, coded.data?.error ?? 'unknown_error');
      throw error;
    }
  }
}

function retryAfterMs(error: unknown): number | undefined {
  const coded = error as { code?: string; retryAfter?: number };
  if (coded?.code !== webApi.ErrorCode.RateLimitedError) return undefined;
  return Math.max(1, coded.retryAfter ?? 1) * 1000;
}

function throttled(method: string, waitMs: number): AppError {
  return new AppError('THROTTLED', `Slack is rate-limiting mailferry (${method}); the message will be retried in ${Math.ceil(waitMs / 1000)} s.`, {
    retryAfterMs: waitMs,
    details: { method },
  });
}
