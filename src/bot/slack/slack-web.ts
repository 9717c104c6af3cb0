/**
 * Every Web API call mailferry makes goes through `SlackWeb.call`: each 429 is waited out for the
 * seconds Slack's Retry-After asked, as often as the waits fit in one inline budget (30 s); the 429
 * that would overrun it becomes AppError THROTTLED with retryAfterMs so the notifier can reschedule
 * and a chat turn can say so. A platform error keeps Slack's error string (`not_in_channel`,
 * `trigger_expired`…) so callers can fall back on the ones they expect.
 */
import { webApi } from '@slack/bolt';
import { AppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { downloadFailed, fetchText } from '../csv-upload.js';
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

/** Longest a call sits through 429s (all its Retry-After waits together); past it the caller is told. */
const MAX_INLINE_WAIT_MS = 30_000;

export interface SlackWebOptions {
  token: string;
  /** SLACK_API_URL; WebClient wants the trailing `/api/`. */
  apiUrl?: string;
  log: Logger;
  /** Budget for waiting out 429s within one call (default 30 s); tests shorten it. */
  maxInlineWaitMs?: number;
}

export function normaliseApiUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return url.endsWith('/') ? url : `${url}/`;
}

export class SlackWeb {
  readonly client: InstanceType<typeof webApi.WebClient>;
  private readonly log: Logger;
  private readonly maxInlineWaitMs: number;
  private readonly token: string;
  /** Where SLACK_API_URL points (a simulator, a proxy): its files may get the token too. */
  private readonly apiOrigin: string | undefined;

  constructor(options: SlackWebOptions) {
    this.log = options.log;
    this.token = options.token;
    this.apiOrigin = options.apiUrl ? new URL(options.apiUrl).origin : undefined;
    this.maxInlineWaitMs = options.maxInlineWaitMs ?? MAX_INLINE_WAIT_MS;
    this.client = new webApi.WebClient(options.token, {
      slackApiUrl: normaliseApiUrl(options.apiUrl),
      // We handle 429 ourselves (wait within a 30 s budget, then surface THROTTLED) instead of the
      // SDK's ten retries over thirty minutes, which would hold a chat turn hostage.
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 1, minTimeout: 200, maxTimeout: 500 },
      logger: boltLogger(options.log),
      timeout: 15_000,
    });
  }

  async call(method: string, args: Args): Promise<SlackResult> {
    const started = Date.now();
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.once(method, args);
      } catch (error) {
        const waitMs = retryAfterMs(error);
        if (waitMs === undefined) throw error;
        // Under load a channel can refuse several posts in a row; each wait that still fits is worth it.
        if (Date.now() - started + waitMs > this.maxInlineWaitMs) throw throttled(method, waitMs);
        this.log.warn({ method, attempt, retryAfterMs: waitMs }, 'slack rate limited; waiting before retrying');
        await new Promise((resolve) => setTimeout(resolve, waitMs));
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

  /**
   * A shared file's text from its url_private_download, with the bot token (the app needs the
   * files:read scope). The token only goes to Slack's own file hosts (or SLACK_API_URL's).
   */
  async downloadFile(url: string, name: string, maxBytes: number): Promise<string> {
    const hint = 'Check that the app has the files:read scope and is a member of this conversation, then share the file again.';
    if (!this.mayReceiveToken(url)) throw downloadFailed(name, 'Slack', 'its download link is not on a Slack file host', hint);
    return fetchText(url, { name, platform: 'Slack', maxBytes, hint, headers: { authorization: `Bearer ${this.token}` } });
  }

  private mayReceiveToken(url: string): boolean {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (this.apiOrigin && parsed.origin === this.apiOrigin) return true;
    return parsed.protocol === 'https:' && /(^|\.)(slack\.com|slack-gov\.com)$/i.test(parsed.hostname);
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
  return new AppError('THROTTLED', `Slack is rate-limiting mailferry (${method}) and asked it to wait ${Math.ceil(waitMs / 1000)} s. Cards being updated catch up by themselves; if you ran a command, run it again after that.`, {
    retryAfterMs: waitMs,
    details: { method },
  });
}
