import type { MailboxProgressInfo, MailboxRunInfo } from '../../engine/index.js';
import type { MailboxHealthView } from '../../cards/views.js';

/** Engine health words → the card's markers and sentences ("Throttled by destination — retrying in 30 s"). */

const runningHealth: Record<string, MailboxHealthView> = {
  healthy: 'healthy',
  throttled_source: 'throttled',
  throttled_destination: 'throttled',
  degraded: 'degraded',
  stalled: 'stalled',
  failed: 'failed',
};

const defaultReason: Record<string, string> = {
  throttled_source: 'Throttled by the source',
  throttled_destination: 'Throttled by destination',
  degraded: 'Some items could not be copied',
  stalled: 'No progress for a while — restarting',
  failed: 'Failed',
};

export function healthOf(status: MailboxRunInfo['status'], health: string): MailboxHealthView {
  switch (status) {
    case 'completed': return health === 'degraded' ? 'degraded' : 'done';
    case 'failed': return 'failed';
    case 'cancelled': return 'cancelled';
    case 'pending': return 'pending';
    case 'running': return runningHealth[health] ?? 'degraded';
  }
}

/** The engine's reason reads "throttled by destination, retrying in 30 s"; the card says it as a sentence. */
export function reasonText(reason: string): string {
  const sentence = reason.trim().replace(/\.$/, '').replace(/, retrying in /, ' — retrying in ');
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

export function healthText(m: Pick<MailboxProgressInfo, 'status' | 'health' | 'healthReason' | 'error'>): string {
  if (m.status === 'failed') return reasonText(m.error ?? m.healthReason ?? 'Failed');
  if (m.healthReason) return reasonText(m.healthReason);
  if (m.status === 'completed') return 'Done';
  if (m.status === 'cancelled') return 'Cancelled';
  if (m.status === 'pending') return 'Waiting for a worker';
  return defaultReason[m.health] ?? 'Healthy';
}
