import type { Actor, Engine, EngineEvent } from '../engine/index.js';
import type { Logger } from '../log.js';
import type { NoticeView } from '../cards/views.js';
import type { ChatPlatform, ChatSender } from './context.js';
import { decodeCardRef, encodeCardRef } from './notifier-refs.js';
import { holdSubject, presentApproval } from './presenters/approval.js';

/**
 * Credit events → chat, from whichever process caused them (a click, the CLI, the 24 h expiry):
 * `hold.created` posts the approval card in the project's channel when no command did (a launch
 * from the CLI); `hold.decided` turns the stored approval card to its decided state (no buttons left);
 * `credits.changed` posts its one-line note to the channels subscribed to credits, a burst
 * gathered into one message and at most one message per channel per `notePerChannelMs`.
 */
export interface CreditEventsOptions {
  engine: Engine;
  log: Logger;
  senderFor(channelKey: string): ChatSender | undefined;
  platformOf(channelKey: string): ChatPlatform | null;
  /** A burst of notes within this long becomes one message (default 2 s). */
  noteGatherMs?: number;
  /** At most one credits message per channel per this long (default 30 s). */
  notePerChannelMs?: number;
  /** How long to look for the approval card a command is still filing (default 3 s)… */
  cardWaitMs?: number;
  /** …and, on hold.created, before posting one ourselves (default 10 s: approvals are not urgent, a duplicate card is confusing). */
  newCardWaitMs?: number;
}

interface ChannelNotes {
  notes: string[];
  lastSentAt: number;
  timer: NodeJS.Timeout | null;
}

/** Notes named in one message; the rest are counted. */
export const NOTE_LINES = 10;

export function creditNoteView(notes: readonly string[]): NoticeView {
  if (notes.length === 1) return { kind: 'notice', tone: 'info', title: `Credits: ${notes[0]}` };
  const shown = notes.slice(0, NOTE_LINES);
  const more = notes.length - shown.length;
  return { kind: 'notice', tone: 'info', title: `Credits: ${notes.length} changes`, text: [...shown.map((n) => `• ${n}`), ...(more > 0 ? [`…and ${more} more`] : [])].join('\n') };
}

/** The notifier reads holds as a platform admin of the hold's org: it only ever shows them where they already are. */
function systemActor(orgId: string): Actor {
  return { orgId, userId: 'system:notifier', userName: 'mailferry', platformAdmin: true };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createCreditEvents(options: CreditEventsOptions) {
  const { engine, log } = options;
  const gatherMs = options.noteGatherMs ?? 2000;
  const perChannelMs = options.notePerChannelMs ?? 30_000;
  const cardWaitMs = options.cardWaitMs ?? 3000;
  const newCardWaitMs = options.newCardWaitMs ?? 10_000;
  const channels = new Map<string, ChannelNotes>();
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  /** Set first on stop: only waits that may be abandoned look at it (a new card is not owed). */
  let stopping = false;

  function track(work: Promise<void>): void {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  async function findHoldCard(holdId: string, channelKey: string, waitMs = cardWaitMs, abandon = () => stopped) {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const card = await engine.findCard(holdSubject(holdId), channelKey);
      if (card || Date.now() >= deadline || abandon()) return card;
      await sleep(100);
    }
  }

  async function updateHoldCard(event: EngineEvent): Promise<void> {
    if (!event.holdId || !event.orgId) return;
    const card = await findHoldCard(event.holdId, event.channelKey);
    if (!card) return;
    const ref = decodeCardRef(card.channelKey, card.messageRef);
    const sender = options.senderFor(ref.channelKey);
    const platform = options.platformOf(ref.channelKey);
    if (!sender || !platform) return;
    const hold = await engine.getHold(systemActor(event.orgId), event.holdId);
    // Still pending (an event raced ahead of its transaction's readers): the card stays as it is.
    if (hold.status === 'pending_approval') return;
    await sender.update(ref, presentApproval(hold, { platform, canDecide: false }));
  }

  async function postHoldCard(event: EngineEvent): Promise<void> {
    if (!event.holdId || !event.orgId) return;
    if (await findHoldCard(event.holdId, event.channelKey, newCardWaitMs, () => stopping)) return;
    const sender = options.senderFor(event.channelKey);
    const platform = options.platformOf(event.channelKey);
    if (!sender || !platform || stopping) return;
    const hold = await engine.getHold(systemActor(event.orgId), event.holdId);
    if (hold.status !== 'pending_approval') return;
    // One message for everyone, with buttons (the engine re-checks each click); Teams refreshes give non-approvers a read-only view.
    const ref = await sender.post(event.channelKey, presentApproval(hold, { platform, canDecide: true }));
    await engine.saveCard({ subject: holdSubject(hold.id), channelKey: event.channelKey, messageRef: ref.channelKey === event.channelKey ? ref.messageId : encodeCardRef(ref) });
  }

  async function flushNotes(channelKey: string, state: ChannelNotes): Promise<void> {
    const notes = state.notes.splice(0);
    if (!notes.length || stopped) return;
    const sender = options.senderFor(channelKey);
    if (!sender) return;
    state.lastSentAt = Date.now();
    try {
      await sender.post(channelKey, creditNoteView(notes));
    } catch (error) {
      log.warn({ err: error, channelKey }, 'could not post a credits note');
    }
  }

  function queueNote(channelKey: string, note: string): void {
    let state = channels.get(channelKey);
    if (!state) {
      state = { notes: [], lastSentAt: 0, timer: null };
      channels.set(channelKey, state);
    }
    state.notes.push(note);
    if (state.timer) return;
    const wait = Math.max(gatherMs, state.lastSentAt + perChannelMs - Date.now());
    const s = state;
    s.timer = setTimeout(() => {
      s.timer = null;
      track(flushNotes(channelKey, s));
    }, wait);
  }

  async function fanOutNote(event: EngineEvent): Promise<void> {
    if (!event.orgId || !event.note) return;
    const subs = await engine.subscribers({ orgId: event.orgId, topic: 'credits' });
    for (const key of new Set(subs.map((s) => s.channelKey))) queueNote(key, event.note);
  }

  function onEvent(event: EngineEvent): void {
    if (stopped) return;
    const work = event.type === 'hold.decided' ? updateHoldCard(event)
      : event.type === 'hold.created' ? postHoldCard(event)
        : event.type === 'credits.changed' ? fanOutNote(event) : null;
    if (!work) return;
    track(work.catch((error: unknown) => log.warn({ err: error, type: event.type, holdId: event.holdId }, 'could not show a credit event in chat')));
  }

  return {
    onEvent,
    async stop(): Promise<void> {
      stopping = true;
      await Promise.allSettled([...inFlight]);
      stopped = true;
      for (const s of channels.values()) if (s.timer) clearTimeout(s.timer);
      channels.clear();
    },
  };
}
