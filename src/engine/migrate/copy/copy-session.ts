import { sql } from 'drizzle-orm';
import { AppError } from '../../../errors.js';
import type { RunMode, RunOptions } from '../../api.js';
import type { Connector, MailboxRef } from '../../connectors/types.js';
import type { EngineContext } from '../../context.js';
import type { JobControl } from '../../queues/queue-runtime.js';
import { alert, logEvent, type RunRef } from './copy-events.js';

export type ThrottledSide = 'source' | 'destination';

/** Everything one mailbox's copy job works with. */
export interface CopySession {
  ctx: EngineContext;
  run: RunRef;
  mode: Exclude<RunMode, 'scan'>;
  options: RunOptions;
  mailboxRunId: string;
  mappingId: string;
  address: string;
  source: Connector;
  destination: Connector;
  sourceRef: MailboxRef;
  destinationRef: MailboxRef;
  /** Aborted by cancel, the watchdog, or BullMQ. */
  signal: AbortSignal;
  job: JobControl;
  /** This attempt's number: counters are only written while it is still the mailbox run's latest (a fence against a twin). */
  attempt: number;
  /** Folder cursors as stored when the attempt started. */
  cursors: Map<string, { cursor: string | null; runId: string }>;
  /** The ledger held nothing for this mapping when a first attempt started: no page needs a ledger lookup. */
  freshLedger: boolean;
  /** Unresolved item failures may exist for the mapping (a success must then resolve its row). */
  mayHaveFailures: boolean;
  /** Which side is throttling right now (null once a call went through again). */
  throttled: ThrottledSide | null;
  throttleReason: string | null;
  lastThrottleLog: number;
  /** Writes in flight across every folder of the mailbox (at most the pipeline width); made by the first folder pass. */
  writeSlots?: { take(): Promise<void>; give(): void };
  /** Set by the first folder pass that failed: the others start no new write and stop. */
  halted?: { error: unknown };
  /** Requests made in the current window per side, against the connector's declared requestsPerWindow. */
  budget?: Record<ThrottledSide, { start: number; used: number }>;
}

/** Thrown to end the attempt and come back later without failing anything. */
export class Postpone extends Error {
  constructor(readonly ms: number) {
    super(`postponed ${ms} ms`);
  }
}

/** Waits this long in the job; longer pauses go back to BullMQ's delayed set (the worker slot is freed). */
const WAIT_IN_PLACE_MS = 10_000;
/** One log line and alert per throttling episode, or again after this long. */
const THROTTLE_LOG_EVERY_MS = 30_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/**
 * Runs a connector call; a THROTTLED answer pauses this mailbox (never fails the item): health and
 * the log say who throttles and for how long, then the call is tried again.
 */
export async function throttled<T>(s: CopySession, side: ThrottledSide, call: () => Promise<T>): Promise<T> {
  for (;;) {
    s.signal.throwIfAborted();
    await spendBudget(s, side);
    try {
      const result = await call();
      s.throttled = null;
      return result;
    } catch (error) {
      if (!AppError.is(error, 'THROTTLED')) throw error;
      const ms = error.retryAfterMs ?? 30_000;
      await noteThrottle(s, side, ms);
      if (ms > WAIT_IN_PLACE_MS) throw new Postpone(ms);
      await sleep(ms, s.signal);
    }
  }
}

/**
 * Stays within the platform's published request budget for this mailbox (e.g. Graph: 10,000 per
 * 10 min) instead of waiting for its 429s: when the window is spent, wait for the next one.
 */
async function spendBudget(s: CopySession, side: ThrottledSide): Promise<void> {
  const { requestsPerWindow, windowMs } = (side === 'source' ? s.source : s.destination).limits;
  s.budget ??= { source: { start: Date.now(), used: 0 }, destination: { start: Date.now(), used: 0 } };
  const window = s.budget[side];
  if (Date.now() - window.start >= windowMs) Object.assign(window, { start: Date.now(), used: 0 });
  if (window.used >= requestsPerWindow) {
    const ms = window.start + windowMs - Date.now();
    if (ms > WAIT_IN_PLACE_MS) throw new Postpone(ms);
    await sleep(ms, s.signal);
    Object.assign(window, { start: Date.now(), used: 0 });
  }
  window.used++;
}

async function noteThrottle(s: CopySession, side: ThrottledSide, ms: number): Promise<void> {
  const starting = s.throttled !== side;
  s.throttled = side;
  s.throttleReason = `throttled by ${side}, retrying in ${seconds(ms)}`;
  if (!starting && Date.now() - s.lastThrottleLog < THROTTLE_LOG_EVERY_MS) return;
  s.lastThrottleLog = Date.now();
  const health = side === 'source' ? 'throttled_source' : 'throttled_destination';
  await s.ctx.db.execute(sql`update mailbox_runs set health = ${health}, health_reason = ${s.throttleReason} where id = ${s.mailboxRunId} and status = 'running'`);
  await logEvent(s.ctx.db, s.mailboxRunId, 'warn', `Throttled ${seconds(ms)} by ${side}`);
  if (starting) await alert(s.ctx, s.run, { mailboxRunId: s.mailboxRunId, address: s.address }, 'warn', `${s.address}: ${s.throttleReason}.`);
}

/** Failures that are the whole mailbox's (connection, sign-in) rather than one item's: the job retries. */
export function isMailboxLevel(error: unknown): boolean {
  if (error instanceof Postpone) return true;
  if (!(error instanceof AppError)) return true;
  return ['CONNECTION_FAILED', 'AUTH_FAILED', 'NOT_CONNECTED', 'CONFIG', 'DATA_DIR_LOCKED'].includes(error.code);
}
