import type { Engine, EngineEvent, RunDetail } from '../engine/index.js';
import type { Logger } from '../log.js';
import type { View } from '../cards/views.js';
import type { ChatSender, MessageRef } from './context.js';
import { presentScan } from './presenters/scan.js';
import { presentRun } from './presenters/run.js';
import { presentVerification } from './presenters/verification.js';
import { createAlertThreads } from './alert-thread.js';
import { createCreditEvents } from './credit-events.js';
import { cardSubject, decodeCardRef, encodeCardRef, platformOf } from './notifier-refs.js';
import { createRunMirrors } from './run-mirrors.js';

export interface NotifierOptions {
  engine: Engine;
  senders: ChatSender[];
  log: Logger;
  /** At most one edit per card per interval (DESIGN §7: 5 s). */
  minEditIntervalMs?: number;
  /** How long to wait for the command that posts a card to store it before posting one ourselves. */
  cardWaitMs?: number;
  /** Copy runs: queuing thousands of mailboxes takes a while before the launch command can post its
   * card, so a card is not posted for them before this long after the run was created (default 30 s). */
  launchGraceMs?: number;
  /** Attempts for one edit (429s with retryAfterMs, transient failures); the final state gets more. */
  maxAttempts?: number;
  /** Credit notes to subscribed channels: at most one message per channel per this long (default 30 s). */
  creditNotePerChannelMs?: number;
  /** Mailbox alerts in the card's thread: at most one reply per mailbox per this long (default 60 s)… */
  alertPerMailboxMs?: number;
  /** …and at most one reply per run per this long (default 10 s); bursts become one summary. */
  alertPerRunMs?: number;
}

export interface Notifier {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export { cardSubject, decodeCardRef, encodeCardRef, platformOf };

/**
 * Runs whose credits were never approved get no run card: the approval card tells their story.
 * getRun carries no hold today, so a full run cancelled before any mailbox started counts too.
 */
export function heldBack(run: Pick<RunDetail, 'status' | 'hold' | 'mode' | 'mailboxRuns'>): boolean {
  if (run.status === 'pending_approval') return true;
  const hold = run.hold;
  if (hold) {
    if (hold.status === 'pending_approval' || hold.status === 'rejected' || hold.status === 'expired') return true;
    return run.status === 'cancelled' && hold.decidedAt === null;
  }
  return run.mode === 'full' && run.status === 'cancelled' && run.mailboxRuns.every((r) => r.status === 'cancelled' && r.itemsDone === 0);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Per run: what is owed to its card and when it may next be edited. */
interface CardState {
  runId: string;
  channelKey: string;
  dirty: boolean;
  final: boolean;
  lastEditAt: number;
  timer: NodeJS.Timeout | null;
  busy: Promise<void> | null;
  ref: MessageRef | null;
  /** Consecutive failed flushes of the final state. */
  failures: number;
}

/**
 * Engine events → the living card of each run. Edits are coalesced: each flush re-reads the run,
 * so whatever happened between two edits lands in the next one, and the final state is flushed
 * as soon as the 5 s interval allows, retried until it lands. Copy runs get the run card, a
 * verification card in its thread at the end, and their mailbox alerts in that thread too.
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const { engine, log } = options;
  const interval = options.minEditIntervalMs ?? 5000;
  const cardWaitMs = options.cardWaitMs ?? 3000;
  const launchGraceMs = options.launchGraceMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 5;
  const states = new Map<string, CardState>();
  /** Runs whose verification card went into the thread (each gets one). */
  const verified = new Set<string>();
  let unsubscribe: (() => Promise<void>) | null = null;
  let stopped = false;

  function senderFor(channelKey: string): ChatSender | undefined {
    const platform = platformOf(channelKey);
    return options.senders.find((s) => s.platform === platform) ?? (platform ? undefined : options.senders[0]);
  }

  const alerts = createAlertThreads({
    log,
    senderFor,
    cardOf: async (runId, channelKey) => {
      const known = states.get(runId)?.ref;
      if (known) return known;
      const card = await engine.findCard(cardSubject(runId), channelKey);
      return card ? decodeCardRef(card.channelKey, card.messageRef) : null;
    },
    ...(options.alertPerMailboxMs !== undefined ? { perMailboxMs: options.alertPerMailboxMs } : {}),
    ...(options.alertPerRunMs !== undefined ? { perRunMs: options.alertPerRunMs } : {}),
  });

  const credits = createCreditEvents({
    engine,
    log,
    senderFor,
    platformOf,
    ...(options.creditNotePerChannelMs !== undefined ? { notePerChannelMs: options.creditNotePerChannelMs } : {}),
  });

  const mirrors = createRunMirrors({
    engine,
    log,
    senderFor,
    ...(options.alertPerMailboxMs !== undefined ? { alertPerMailboxMs: options.alertPerMailboxMs } : {}),
    ...(options.alertPerRunMs !== undefined ? { alertPerRunMs: options.alertPerRunMs } : {}),
  });

  function onEvent(event: EngineEvent): void {
    if (stopped) return;
    if (event.type === 'hold.created' || event.type === 'hold.decided' || event.type === 'credits.changed') {
      credits.onEvent(event);
      return;
    }
    // Run state moves the card; mailbox alerts go into its thread.
    if (event.type === 'mailbox.alert') {
      alerts.onAlert(event);
      mirrors.onAlert(event);
      return;
    }
    if (event.type !== 'run.progress' && event.type !== 'run.finished') return;
    let state = states.get(event.runId);
    if (!state) {
      state = { runId: event.runId, channelKey: event.channelKey, dirty: false, final: false, lastEditAt: 0, timer: null, busy: null, ref: null, failures: 0 };
      states.set(event.runId, state);
    }
    state.dirty = true;
    if (event.type === 'run.finished') state.final = true;
    kick(state);
  }

  function kick(state: CardState): void {
    if (state.busy || !state.dirty || stopped) return;
    // The final state too waits out the interval (≤ 5 s): "at most one edit per 5 s" has no exception.
    const wait = state.lastEditAt + interval - Date.now();
    if (wait <= 0) {
      if (state.timer) clearTimeout(state.timer);
      state.timer = null;
      state.busy = flush(state).finally(() => {
        state.busy = null;
        if (state.dirty) kick(state);
        else if (state.final) states.delete(state.runId);
      });
      return;
    }
    state.timer ??= setTimeout(() => {
      state.timer = null;
      kick(state);
    }, wait);
  }

  async function flush(state: CardState): Promise<void> {
    const final = state.final;
    state.dirty = false;
    try {
      const run = await engine.getRun(state.runId);
      // A full run waiting for (or refused) credits has its approval card instead of a run card.
      if (!state.ref && heldBack(run)) {
        const card = await engine.findCard(cardSubject(run.id), state.channelKey);
        if (!card) return;
        state.ref = decodeCardRef(card.channelKey, card.messageRef);
      }
      // Scans keep their card; copy runs (structure, full, delta, retry) get the run card.
      const view = run.mode === 'scan' ? presentScan(run) : presentRun(run);
      const finished = run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled';
      const notBefore = run.mode === 'scan' ? 0 : new Date(run.createdAt).getTime() + launchGraceMs;
      await deliver(state, view, final || finished, notBefore);
      state.failures = 0;
      // Channels following the project get the same edit, at the same pace.
      await mirrors.mirror(run, view, state.ref);
      if (finished) {
        alerts.forget(run.id);
        await mirrors.forget(run);
        if (run.verification && !verified.has(run.id)) await postVerification(state, run.verification, run.projectId);
      }
    } catch (error) {
      state.failures += 1;
      const giveUp = state.failures >= maxAttempts;
      log[giveUp ? 'error' : 'warn']({ err: error, runId: state.runId, attempt: state.failures }, giveUp ? 'gave up updating the run card' : 'could not update the run card');
      // The final state must land: mark it owed again and retry after a pause.
      if (final && !stopped && !giveUp) {
        state.dirty = true;
        state.final = true;
        await sleep(Math.min(interval, 1000));
      }
    } finally {
      state.lastEditAt = Date.now();
    }
  }

  async function deliver(state: CardState, view: View, final: boolean, notBefore: number): Promise<void> {
    const sender = senderFor(state.channelKey);
    if (!sender) {
      log.warn({ channelKey: state.channelKey }, 'no chat platform for this channel; the run card is not updated');
      return;
    }
    state.ref ??= await findCard(state, notBefore);
    if (!state.ref) {
      // No card anywhere (a scan started from the CLI): post one and remember it.
      const ref = await withRetry(() => sender.post(state.channelKey, view), final ? maxAttempts * 2 : maxAttempts);
      await engine.saveCard({ subject: cardSubject(state.runId), channelKey: state.channelKey, messageRef: ref.channelKey === state.channelKey ? ref.messageId : encodeCardRef(ref) });
      state.ref = ref;
      return;
    }
    const ref = state.ref;
    const target = senderFor(ref.channelKey) ?? sender;
    await withRetry(() => target.update(ref, view), final ? maxAttempts * 2 : maxAttempts);
  }

  /** The verification card of a finished copy run, once, as a reply in the run card's thread. */
  async function postVerification(state: CardState, verification: NonNullable<RunDetail['verification']>, projectId: string): Promise<void> {
    const ref = state.ref;
    const sender = ref ? senderFor(ref.channelKey) : undefined;
    if (!ref || !sender) return;
    verified.add(state.runId);
    if (verified.size > 1000) verified.delete(verified.values().next().value as string);
    try {
      await withRetry(() => sender.post(ref.channelKey, presentVerification(verification, projectId), { threadOf: ref.messageId }), maxAttempts);
    } catch (error) {
      log.warn({ err: error, runId: state.runId }, 'could not post the verification card');
    }
  }

  /** The command posting the card may still be saving it: look again for a little while. */
  async function findCard(state: CardState, notBefore: number): Promise<MessageRef | null> {
    const deadline = Math.max(Date.now() + cardWaitMs, notBefore);
    for (;;) {
      const card = await engine.findCard(cardSubject(state.runId), state.channelKey);
      if (card) return decodeCardRef(card.channelKey, card.messageRef);
      if (Date.now() >= deadline || stopped) return null;
      await sleep(Math.min(250, Math.max(10, cardWaitMs / 10)));
    }
  }

  /** Honours the platform's retry-after; other failures back off 0.5 s, 1 s, 2 s… */
  async function withRetry<T>(send: () => Promise<T>, attempts: number): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await send();
      } catch (error) {
        if (attempt >= attempts) throw error;
        const retryAfter = (error as { retryAfterMs?: unknown }).retryAfterMs;
        const delay = typeof retryAfter === 'number' && retryAfter >= 0 ? retryAfter : Math.min(8000, 500 * 2 ** (attempt - 1));
        log.info({ delay, attempt }, 'run card edit deferred');
        await sleep(delay);
      }
    }
  }

  return {
    async start() {
      stopped = false;
      const off = await engine.onEvent(onEvent);
      // stop() may have been called while the subscription was still connecting.
      if (stopped) await off();
      else unsubscribe = off;
    },
    async stop() {
      const off = unsubscribe;
      unsubscribe = null;
      await off?.();
      // Let edits in flight (a final state, most likely) finish before the process goes.
      await Promise.allSettled([...states.values()].map((s) => s.busy));
      await credits.stop();
      stopped = true;
      alerts.stop();
      mirrors.stop();
      for (const s of states.values()) if (s.timer) clearTimeout(s.timer);
      states.clear();
    },
  };
}
