/**
 * Outlook's per app + mailbox limits (learn.microsoft.com/graph/throttling-limits): requests in flight,
 * requests per sliding window, request-body bytes per window on item-creating requests, and seeded
 * random faults. Requests made while throttled still count against the request window, as Microsoft
 * documents, so a client that ignores Retry-After digs itself deeper.
 */
import type { GraphFaults, GraphLimits } from './types.js';

export type Admission =
  | { ok: true; release: () => void }
  | { ok: false; reason: 'concurrency' | 'rate' | 'upload' | 'random' | 'unavailable'; retryAfterS: number };

interface Bucket {
  inFlight: number;
  requests: number[];
  uploads: { at: number; bytes: number }[];
}

export class GraphLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private random: () => number;

  constructor(
    public limits: GraphLimits,
    private faults: GraphFaults,
  ) {
    this.random = mulberry32(faults.seed ?? 1);
  }

  setLimits(l: Partial<GraphLimits>): void {
    this.limits = { ...this.limits, ...l };
  }

  setFaults(f: GraphFaults): void {
    this.faults = { ...f };
    this.random = mulberry32(f.seed ?? 1);
  }

  /** Decides one request of `key` (app + mailbox) carrying `uploadBytes` of item content (0 for reads). */
  admit(key: string, uploadBytes: number, now = Date.now()): Admission {
    const b = this.bucket(key);
    const { limits } = this;
    prune(b.requests, (t) => now - t >= limits.windowMs);
    b.requests.push(now);
    if (b.requests.length > limits.requestsPerWindow) {
      // The next request fits once enough of the oldest ones have left the window.
      const oldestThatMustExpire = b.requests[b.requests.length - limits.requestsPerWindow]!;
      return { ok: false, reason: 'rate', retryAfterS: seconds(oldestThatMustExpire + limits.windowMs - now) };
    }
    if (b.inFlight >= limits.concurrency) return { ok: false, reason: 'concurrency', retryAfterS: 1 };
    if (uploadBytes > 0) {
      const wait = this.uploadWait(b, uploadBytes, now);
      if (wait > 0) return { ok: false, reason: 'upload', retryAfterS: seconds(wait) };
    }
    if (this.faults.randomThrottleRate && this.random() < this.faults.randomThrottleRate) return { ok: false, reason: 'random', retryAfterS: 1 };
    if (this.faults.random503Rate && this.random() < this.faults.random503Rate) return { ok: false, reason: 'unavailable', retryAfterS: 1 };
    if (uploadBytes > 0) b.uploads.push({ at: now, bytes: uploadBytes });
    b.inFlight++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (!released) b.inFlight--;
        released = true;
      },
    };
  }

  /** Milliseconds until `bytes` more fit in the upload window (0 = now). An empty window takes anything. */
  private uploadWait(b: Bucket, bytes: number, now: number): number {
    const windowMs = this.limits.uploadWindowMs;
    prune(b.uploads, (u) => now - u.at >= windowMs);
    let used = b.uploads.reduce((s, u) => s + u.bytes, 0);
    if (used === 0 || used + bytes <= this.limits.uploadBytesPerWindow) return 0;
    for (const u of b.uploads) {
      used -= u.bytes;
      if (used === 0 || used + bytes <= this.limits.uploadBytesPerWindow) return u.at + windowMs - now;
    }
    return windowMs;
  }

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = { inFlight: 0, requests: [], uploads: [] };
      this.buckets.set(key, b);
    }
    return b;
  }
}

function prune<T>(list: T[], expired: (x: T) => boolean): void {
  let n = 0;
  while (n < list.length && expired(list[n]!)) n++;
  if (n > 0) list.splice(0, n);
}

/** Retry-After is whole seconds, at least 1. */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** Small seeded PRNG so fault runs repeat. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
