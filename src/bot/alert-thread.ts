import type { EngineEvent } from '../engine/index.js';
import type { Logger } from '../log.js';
import type { NoticeView } from '../cards/views.js';
import type { ChatSender, MessageRef } from './context.js';

/**
 * Mailbox alerts (failures, throttling, stalls) as thread replies under the run's card, never as
 * top-level messages. Coalesced so a burst cannot spam a channel: at most one reply per mailbox per
 * `perMailboxMs`, at most one reply per run per `perRunMs`; whatever piles up in between goes out
 * as one summary reply.
 */
export interface AlertThreadOptions {
  log: Logger;
  senderFor(channelKey: string): ChatSender | undefined;
  /** The run card to reply under, or null while it is not posted (yet); an empty messageId posts top-level. */
  cardOf(runId: string, channelKey: string): Promise<MessageRef | null>;
  perMailboxMs?: number;
  perRunMs?: number;
  /** Alerts for a run whose card never appears are dropped after this long. */
  cardWaitMs?: number;
}

type Alert = NonNullable<EngineEvent['alert']>;

interface RunAlerts {
  runId: string;
  channelKey: string;
  /** Latest unsent alert per mailbox address. */
  pending: Map<string, Alert>;
  lastByMailbox: Map<string, number>;
  lastReplyAt: number;
  firstPendingAt: number;
  timer: NodeJS.Timeout | null;
  busy: boolean;
}

/** At most this many mailboxes are named in one summary reply. */
export const ALERT_SUMMARY_LINES = 10;

export function alertView(alerts: Alert[]): NoticeView {
  const errors = alerts.filter((a) => a.level === 'error').length;
  const tone = errors > 0 ? 'danger' : 'warning';
  if (alerts.length === 1) {
    const [a] = alerts as [Alert];
    return { kind: 'notice', tone, title: a.address, text: a.message };
  }
  const shown = alerts.slice(0, ALERT_SUMMARY_LINES);
  const more = alerts.length - shown.length;
  const what = errors > 0 ? `${errors} failed, ${alerts.length - errors} need attention` : 'need attention';
  return {
    kind: 'notice',
    tone,
    title: `${alerts.length} mailboxes ${errors > 0 ? `— ${what}` : what}`,
    text: [...shown.map((a) => `${a.level === 'error' ? '❌' : '⚠️'} ${a.message}`), ...(more > 0 ? [`…and ${more} more`] : [])].join('\n'),
  };
}

export function createAlertThreads(options: AlertThreadOptions) {
  const perMailboxMs = options.perMailboxMs ?? 60_000;
  const perRunMs = options.perRunMs ?? 10_000;
  const cardWaitMs = options.cardWaitMs ?? 60_000;
  const runs = new Map<string, RunAlerts>();
  let stopped = false;

  function onAlert(event: EngineEvent): void {
    if (stopped || !event.alert) return;
    let state = runs.get(event.runId);
    if (!state) {
      state = { runId: event.runId, channelKey: event.channelKey, pending: new Map(), lastByMailbox: new Map(), lastReplyAt: 0, firstPendingAt: 0, timer: null, busy: false };
      runs.set(event.runId, state);
    }
    if (state.pending.size === 0) state.firstPendingAt = Date.now();
    state.pending.set(event.alert.address, event.alert);
    schedule(state);
  }

  /** When the next reply may go: the run's pace, and at least one mailbox out of its quiet minute. */
  function nextAt(state: RunAlerts): number {
    let earliestMailbox = Infinity;
    for (const address of state.pending.keys()) earliestMailbox = Math.min(earliestMailbox, (state.lastByMailbox.get(address) ?? 0) + perMailboxMs);
    return Math.max(state.lastReplyAt + perRunMs, earliestMailbox);
  }

  function schedule(state: RunAlerts): void {
    if (stopped || state.busy || state.timer || state.pending.size === 0) return;
    // A short pause gathers a burst into one reply.
    const wait = Math.max(nextAt(state) - Date.now(), Math.min(1000, perRunMs));
    state.timer = setTimeout(() => {
      state.timer = null;
      void flush(state);
    }, wait);
  }

  async function flush(state: RunAlerts): Promise<void> {
    if (stopped) return;
    state.busy = true;
    try {
      const now = Date.now();
      const due = [...state.pending.values()].filter((a) => (state.lastByMailbox.get(a.address) ?? 0) + perMailboxMs <= now);
      if (due.length === 0) return;
      const sender = options.senderFor(state.channelKey);
      const card = await options.cardOf(state.runId, state.channelKey);
      if (!sender || !card) {
        if (now - state.firstPendingAt > cardWaitMs) {
          options.log.warn({ runId: state.runId, dropped: state.pending.size }, 'no run card to reply under; mailbox alerts dropped');
          state.pending.clear();
        }
        return;
      }
      await sender.post(card.channelKey, alertView(due), card.messageId ? { threadOf: card.messageId } : {});
      for (const a of due) {
        state.pending.delete(a.address);
        state.lastByMailbox.set(a.address, now);
      }
      state.lastReplyAt = now;
    } catch (error) {
      options.log.warn({ err: error, runId: state.runId }, 'could not post a mailbox alert; will try again');
      state.lastReplyAt = Date.now();
    } finally {
      state.busy = false;
      schedule(state);
    }
  }

  return {
    onAlert,
    /** The run finished: pending warnings (throttling, stalls) are stale now and dropped; failures still go out. */
    forget(runId: string): void {
      const state = runs.get(runId);
      if (!state) return;
      for (const [address, a] of state.pending) if (a.level === 'warn') state.pending.delete(address);
      if (state.pending.size === 0 && !state.busy) {
        if (state.timer) clearTimeout(state.timer);
        runs.delete(runId);
      }
    },
    stop(): void {
      stopped = true;
      for (const s of runs.values()) if (s.timer) clearTimeout(s.timer);
      runs.clear();
    },
  };
}
