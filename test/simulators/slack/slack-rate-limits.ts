/**
 * The two Slack rate limits the bot is most likely to hit (docs.slack.dev/apis/web-api/rate-limits):
 * chat.postMessage ≈ 1 message/s per channel (short bursts tolerated) and chat.update on Tier 3
 * (≈ 50/min per workspace). A refusal carries the seconds to wait, as the `Retry-After` header does.
 */
export interface RateLimitOptions {
  /** chat.update calls per minute per workspace (Tier 3: 50). */
  updatesPerMinute: number;
  /** chat.postMessage sustained rate per channel (1/s). */
  postsPerSecondPerChannel: number;
  /** Messages a channel may take at once before the per-second rate applies. */
  postBurst: number;
}

export const defaultRateLimits: RateLimitOptions = { updatesPerMinute: 50, postsPerSecondPerChannel: 1, postBurst: 3 };

export class SlackRateLimiter {
  private readonly updates = new Map<string, number[]>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly options: RateLimitOptions) {}

  /** Returns seconds to wait, or 0 when the update is allowed (and counted). */
  update(team: string, now: number): number {
    const window = (this.updates.get(team) ?? []).filter((t) => now - t < 60_000);
    if (window.length >= this.options.updatesPerMinute) {
      this.updates.set(team, window);
      return Math.max(1, Math.ceil((60_000 - (now - window[0]!)) / 1000));
    }
    window.push(now);
    this.updates.set(team, window);
    return 0;
  }

  /** Token bucket per channel: returns seconds to wait, or 0 when the post is allowed (and counted). */
  post(channel: string, now: number): number {
    const rate = this.options.postsPerSecondPerChannel;
    const bucket = this.buckets.get(channel) ?? { tokens: this.options.postBurst, at: now };
    bucket.tokens = Math.min(this.options.postBurst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(channel, bucket);
    if (bucket.tokens < 1) return Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
    bucket.tokens -= 1;
    return 0;
  }
}
