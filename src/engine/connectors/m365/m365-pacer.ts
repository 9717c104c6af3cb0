/**
 * Keeps mailferry below Microsoft's per-mailbox limits instead of running into their 429s (which
 * cost requests too: "requests made while throttled count"): at most `concurrency` requests in
 * flight, at most `requestsPerWindow` started in any `windowMs`, at most `uploadBytesPerWindow` of
 * item-creating bodies in any `uploadWindowMs` (each counted until a window after its response); and after a server 429 with a long Retry-After, no
 * request for that mailbox until it passed. Short waits happen here, silently; a long one becomes
 * THROTTLED so the copy pipeline pauses the mailbox (and says so) instead of holding a worker.
 */
import { AppError } from '../../../errors.js';

export interface PacerLimits {
  concurrency: number;
  requestsPerWindow: number;
  windowMs: number;
  uploadBytesPerWindow: number;
  uploadWindowMs: number;
}

export interface AcquireOptions {
  /** Bytes of an item-creating request body (counted against the upload budget). */
  uploadBytes?: number;
  /** Wait through server throttling too (multi-request reads such as a folder walk); else throw THROTTLED. */
  patient?: boolean;
  signal?: AbortSignal;
}

/** Budget waits up to this long happen in place; longer ones are THROTTLED. */
export const WAIT_IN_PLACE_MS = 10_000;
/** A patient caller still gives up after this long and reports THROTTLED. */
const PATIENT_MAX_MS = 120_000;
/**
 * Leave this share of the published request budget (rounded down) to other clients of the same app
 * and mailbox. Clock skew needs no headroom: a request is counted from when it is sent until its
 * window has passed after its *response* (see Bucket.done), never shorter than the server counts it.
 */
const RESERVED = 0.01;
/** When only requests still in flight fill the budget: look again after this long. */
const IN_FLIGHT_POLL_MS = 25;

interface Bucket {
  inFlight: number;
  waiting: (() => void)[];
  /**
   * Requests sent and not yet answered: counted in full (the server counted each on arrival, and
   * its window ends no earlier than ours will, which starts at the response).
   */
  open: number;
  /** Response times of answered requests, ascending (the server's arrival time is never later). */
  done: number[];
  openUploadBytes: number;
  uploads: { at: number; bytes: number }[];
  blockedUntil: number;
  blockedBy: string;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => { clearTimeout(timer); reject(new AppError('CONNECTION_FAILED', 'The request was cancelled.')); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class MailboxPacer {
  private readonly buckets = new Map<string, Bucket>();
  private readonly budget: number;

  constructor(readonly limits: PacerLimits, private readonly now: () => number = Date.now) {
    this.budget = Math.max(1, limits.requestsPerWindow - Math.floor(limits.requestsPerWindow * RESERVED));
  }

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = { inFlight: 0, waiting: [], open: 0, done: [], openUploadBytes: 0, uploads: [], blockedUntil: 0, blockedBy: '' };
      this.buckets.set(key, b);
    }
    return b;
  }

  /** How long until a request (with `bytes` of upload) fits the budgets; 0 when it fits now. */
  budgetWait(key: string, bytes = 0): number {
    const b = this.bucket(key);
    const now = this.now();
    // A request leaves the window W after its response: at that moment the server (which counted it
    // on arrival, earlier) has dropped it too, so the next one can never be counted over the limit.
    while (b.done.length > 0 && b.done[0]! <= now - this.limits.windowMs) b.done.shift();
    while (b.uploads.length > 0 && b.uploads[0]!.at <= now - this.limits.uploadWindowMs) b.uploads.shift();
    const counted = b.open + b.done.length;
    let wait = 0;
    if (counted >= this.budget) {
      // counted − budget + 1 answered requests must leave; the open ones only leave after answering.
      const leaving = counted - this.budget;
      wait = leaving < b.done.length ? b.done[leaving]! + this.limits.windowMs - now + 1 : IN_FLIGHT_POLL_MS;
    }
    if (bytes > 0) {
      let sum = b.openUploadBytes + b.uploads.reduce((s, u) => s + u.bytes, 0);
      // An item larger than the whole budget goes alone, once nothing else is in the window.
      if (b.openUploadBytes > 0 && sum + bytes > this.limits.uploadBytesPerWindow) wait = Math.max(wait, IN_FLIGHT_POLL_MS);
      for (const u of b.uploads) {
        if (sum + bytes <= this.limits.uploadBytesPerWindow || sum === 0) break;
        sum -= u.bytes;
        wait = Math.max(wait, u.at + this.limits.uploadWindowMs - now + 1);
      }
    }
    return Math.max(0, wait);
  }

  /** Records an answered request (or upload) at `at`, keeping `done` ascending. */
  private record(b: Bucket, at: number, uploadBytes = 0): void {
    let i = b.done.length;
    while (i > 0 && b.done[i - 1]! > at) i--;
    b.done.splice(i, 0, at);
    if (uploadBytes > 0) {
      let j = b.uploads.length;
      while (j > 0 && b.uploads[j - 1]!.at > at) j--;
      b.uploads.splice(j, 0, { at, bytes: uploadBytes });
    }
  }

  /** Counts requests made on the mailbox's behalf without a slot ($batch inner requests). */
  note(key: string, requests = 1): void {
    const b = this.bucket(key);
    for (let i = 0; i < requests; i++) this.record(b, this.now());
  }

  /** The server said to wait (429/503 Retry-After): no request for this mailbox before then. */
  block(key: string, ms: number, by: string): void {
    const b = this.bucket(key);
    const until = this.now() + ms;
    if (until > b.blockedUntil) Object.assign(b, { blockedUntil: until, blockedBy: by });
  }

  /** Waits for a slot and the budgets; returns the release function. */
  async acquire(key: string, options: AcquireOptions = {}): Promise<() => void> {
    const b = this.bucket(key);
    const started = this.now();
    await this.slot(b, options.signal);
    try {
      for (;;) {
        const blocked = b.blockedUntil - this.now();
        const wait = Math.max(blocked, this.budgetWait(key, options.uploadBytes ?? 0));
        if (wait <= 0) break;
        const serverSaid = blocked > 0 && blocked >= wait;
        const tooLong = options.patient ? this.now() - started + wait > PATIENT_MAX_MS : serverSaid || wait > WAIT_IN_PLACE_MS;
        if (tooLong) {
          const why = serverSaid ? b.blockedBy : 'mailferry is pacing itself below Microsoft\'s request limits for this mailbox';
          throw new AppError('THROTTLED', `${why}; mailferry waits and continues.`, { retryAfterMs: wait });
        }
        await sleep(wait, options.signal);
      }
    } catch (error) {
      this.release(b);
      throw error;
    }
    const uploadBytes = options.uploadBytes ?? 0;
    b.open++;
    b.openUploadBytes += uploadBytes;
    let released = false;
    // Called when the response (or the failure) arrived: from now on the request ages out of the window.
    return () => {
      if (released) return;
      released = true;
      b.open--;
      b.openUploadBytes -= uploadBytes;
      this.record(b, this.now(), uploadBytes);
      this.release(b);
    };
  }

  private async slot(b: Bucket, signal?: AbortSignal): Promise<void> {
    if (b.inFlight < this.limits.concurrency) {
      b.inFlight++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = b.waiting.indexOf(go);
        if (i >= 0) b.waiting.splice(i, 1);
        reject(new AppError('CONNECTION_FAILED', 'The request was cancelled.'));
      };
      const go = () => { signal?.removeEventListener('abort', onAbort); resolve(); };
      b.waiting.push(go);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(b: Bucket): void {
    const next = b.waiting.shift();
    if (next) next(); // the slot passes straight to the next waiter
    else b.inFlight--;
  }

  inFlight(key: string): number {
    return this.bucket(key).inFlight;
  }
}

/**
 * One pacer per (Graph host, tenant, app, limits) for the whole process. Microsoft counts per app and
 * mailbox, and the engine opens a connector per copy job, attempt, launch and finalize: pacers of
 * their own would each spend the full budget of the same mailbox at once (and earn 429s).
 */
const shared = new Map<string, MailboxPacer>();
const SHARED_KEPT = 100;

export function sharedPacer(scope: { baseUrl: string; tenantId: string; clientId: string }, limits: PacerLimits): MailboxPacer {
  const key = JSON.stringify([scope.baseUrl.replace(/\/+$/, '').toLowerCase(), scope.tenantId.toLowerCase(), scope.clientId.toLowerCase(), limits]);
  let pacer = shared.get(key);
  if (!pacer) {
    if (shared.size >= SHARED_KEPT) shared.delete(shared.keys().next().value!);
    pacer = new MailboxPacer(limits);
    shared.set(key, pacer);
  }
  return pacer;
}
