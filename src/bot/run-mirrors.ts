import type { Engine, EngineEvent, RunDetail, SubscriptionTopic } from '../engine/index.js';
import type { Logger } from '../log.js';
import type { View } from '../cards/views.js';
import type { ChatSender, MessageRef } from './context.js';
import { createAlertThreads } from './alert-thread.js';
import { cardSubject, decodeCardRef, encodeCardRef } from './notifier-refs.js';

/**
 * Channels other than a project's own that follow it (`subscribe <project> progress|health`):
 * progress subscribers get their own living copy of each run card, edited whenever the project
 * channel's card is (so at the same pace, at most once per 5 s); health subscribers get the
 * mailbox alerts, in that copy's thread when there is one, else as messages of their own, with the
 * same coalescing as the project channel's alerts.
 */
export interface RunMirrorOptions {
  engine: Engine;
  log: Logger;
  senderFor(channelKey: string): ChatSender | undefined;
  /** Subscriptions are read again after this long (default 10 s). */
  cacheMs?: number;
  alertPerMailboxMs?: number;
  alertPerRunMs?: number;
}

const SEP = '|';

export function createRunMirrors(options: RunMirrorOptions) {
  const { engine, log } = options;
  const cacheMs = options.cacheMs ?? 10_000;
  const cache = new Map<string, { at: number; keys: string[] }>();

  /** Subscribed channels of a project for a topic, without the project's own channel. */
  async function channels(run: { projectId: string; channelKey: string }, topic: SubscriptionTopic): Promise<string[]> {
    const key = `${run.projectId}${SEP}${topic}`;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < cacheMs) return hit.keys;
    // Run events carry no org; the project channel's stored conversation knows it.
    const ref = await engine.getConversationRef(run.channelKey);
    const subs = ref ? await engine.subscribers({ orgId: ref.orgId, topic, projectId: run.projectId }) : [];
    const keys = [...new Set(subs.map((s) => s.channelKey))].filter((k) => k !== run.channelKey);
    cache.set(key, { at: Date.now(), keys });
    return keys;
  }

  async function cardIn(runId: string, channelKey: string): Promise<MessageRef | null> {
    const card = await engine.findCard(cardSubject(runId), channelKey);
    return card ? decodeCardRef(card.channelKey, card.messageRef) : null;
  }

  const alerts = createAlertThreads({
    log,
    senderFor: options.senderFor,
    // Keyed `<runId>|<channel>`: each following channel paces its own alerts.
    cardOf: async (key, channelKey) => (await cardIn(key.split(SEP)[0]!, channelKey)) ?? { channelKey, messageId: '' },
    ...(options.alertPerMailboxMs !== undefined ? { perMailboxMs: options.alertPerMailboxMs } : {}),
    ...(options.alertPerRunMs !== undefined ? { perRunMs: options.alertPerRunMs } : {}),
  });

  /** The project channel's card was just edited (or posted) with `view`: do the same in every following channel. */
  async function mirror(run: RunDetail, view: View, main: MessageRef | null): Promise<void> {
    // Following channels are extra: failing to read them must never hold up the project's card.
    const following = await channels(run, 'progress').catch((error: unknown) => {
      log.warn({ err: error, runId: run.id }, 'could not read progress subscriptions');
      return [] as string[];
    });
    for (const channelKey of following) {
      const sender = options.senderFor(channelKey);
      if (!sender) continue;
      try {
        const ref = await cardIn(run.id, channelKey);
        // Launched from the following channel: its card is the project's card, already edited.
        if (ref && main && ref.channelKey === main.channelKey && ref.messageId === main.messageId) continue;
        if (ref) {
          await sender.update(ref, view);
          continue;
        }
        const posted = await sender.post(channelKey, view);
        await engine.saveCard({ subject: cardSubject(run.id), channelKey, messageRef: posted.channelKey === channelKey ? posted.messageId : encodeCardRef(posted) });
      } catch (error) {
        log.warn({ err: error, runId: run.id, channelKey }, 'could not update a following channel’s run card');
      }
    }
  }

  function onAlert(event: EngineEvent): void {
    void channels(event, 'health')
      .then((keys) => {
        for (const channelKey of keys) alerts.onAlert({ ...event, runId: `${event.runId}${SEP}${channelKey}`, channelKey });
      })
      .catch((error: unknown) => log.warn({ err: error, runId: event.runId }, 'could not read health subscriptions'));
  }

  return {
    mirror,
    onAlert,
    /** The run finished: stale warnings in the following channels are dropped too. */
    async forget(run: { id: string; projectId: string; channelKey: string }): Promise<void> {
      const keys = await channels(run, 'health').catch(() => [] as string[]);
      for (const channelKey of keys) alerts.forget(`${run.id}${SEP}${channelKey}`);
    },
    stop(): void {
      alerts.stop();
      cache.clear();
    },
  };
}
