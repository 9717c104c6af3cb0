import type { MailboxInfo, ScanSummary } from '../api.js';
import type { ConnectorLimits } from '../connectors/types.js';

export type ScannedMailbox = Pick<MailboxInfo, 'side' | 'address' | 'folders' | 'mail' | 'events' | 'contacts' | 'bytes' | 'scanError'>;

/** Mailboxes a full run copies side by side; per-mailbox limits make more lanes pointless to model. */
const PARALLEL_MAILBOXES = 4;

/**
 * Predicted full-run time from the destination's published limits. Each item costs about one
 * write request, so a mailbox needs items / (requestsPerWindow / windowMs) ms; where the platform
 * also caps upload bytes, bytes / (uploadBytesPerWindow / windowMs) ms; the slower of the two wins.
 * Mailboxes copy in parallel lanes, so the run takes the larger of the biggest mailbox and the
 * total work spread over the lanes.
 */
export function predictFullRunSeconds(mailboxes: ScannedMailbox[], limits: ConnectorLimits): number {
  const requestsPerMs = limits.requestsPerWindow / limits.windowMs;
  const bytesPerMs = limits.uploadBytesPerWindow ? limits.uploadBytesPerWindow / limits.windowMs : Infinity;
  const perMailbox = mailboxes.map((m) => {
    const items = (m.mail ?? 0) + (m.events ?? 0) + (m.contacts ?? 0);
    return Math.max(items / requestsPerMs, (m.bytes ?? 0) / bytesPerMs);
  });
  const total = perMailbox.reduce((a, b) => a + b, 0);
  const longest = perMailbox.reduce((a, b) => Math.max(a, b), 0);
  return Math.ceil(Math.max(longest, total / PARALLEL_MAILBOXES) / 1000);
}

export function summarizeScan(mailboxes: ScannedMailbox[], destinationLimits: ConnectorLimits): ScanSummary {
  const totals = (side: ScannedMailbox['side']) => {
    const list = mailboxes.filter((m) => m.side === side);
    const sum = (pick: (m: ScannedMailbox) => number | null) => list.reduce((s, m) => s + (pick(m) ?? 0), 0);
    return { mailboxes: list.length, folders: sum((m) => m.folders), mail: sum((m) => m.mail), events: sum((m) => m.events), contacts: sum((m) => m.contacts), bytes: sum((m) => m.bytes) };
  };
  const sources = mailboxes.filter((m) => m.side === 'source' && !m.scanError);
  const largestRow = sources.reduce<ScannedMailbox | null>((best, m) => (!best || (m.bytes ?? 0) > (best.bytes ?? 0) ? m : best), null);
  return {
    source: totals('source'),
    destination: totals('destination'),
    largest: largestRow ? { address: largestRow.address, bytes: largestRow.bytes ?? 0, items: (largestRow.mail ?? 0) + (largestRow.events ?? 0) + (largestRow.contacts ?? 0) } : null,
    failed: mailboxes.filter((m) => m.scanError).length,
    predictedFullRunSeconds: predictFullRunSeconds(sources, destinationLimits),
  };
}
