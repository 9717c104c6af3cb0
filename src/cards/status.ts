import type { Tone } from './views.js';

/**
 * Status words, markers and tones shared by both renderers, so Slack and Teams say the same thing.
 * Emoji are used sparingly, only as status markers.
 */

export const toneEmoji: Record<Tone, string> = { info: 'ℹ️', success: '✅', warning: '⚠️', danger: '❌' };

export const scanStatus = {
  queued: { emoji: '⏳', label: 'Queued', tone: 'info' },
  running: { emoji: '⏳', label: 'Scanning', tone: 'info' },
  completed: { emoji: '✅', label: 'Scan complete', tone: 'success' },
  failed: { emoji: '❌', label: 'Scan failed', tone: 'danger' },
  cancelled: { emoji: '⚠️', label: 'Scan cancelled', tone: 'warning' },
} as const satisfies Record<string, { emoji: string; label: string; tone: Tone }>;

export const scanRowState = {
  pending: { emoji: '·', tone: 'info' },
  scanning: { emoji: '⏳', tone: 'info' },
  done: { emoji: '✅', tone: 'success' },
  failed: { emoji: '❌', tone: 'danger' },
} as const satisfies Record<string, { emoji: string; tone: Tone }>;

export const matchStatus = {
  matched: { emoji: '✅', tone: 'success' },
  needs_review: { emoji: '⚠️', tone: 'warning' },
  excluded: { emoji: '⊘', tone: 'info' },
  create_missing: { emoji: '➕', tone: 'info' },
} as const satisfies Record<string, { emoji: string; tone: Tone }>;

export const connectionState = {
  connected: { emoji: '✅', label: 'connected', tone: 'success' },
  missing: { emoji: '⚠️', label: 'not connected', tone: 'warning' },
  invalid: { emoji: '❌', label: 'invalid credentials', tone: 'danger' },
} as const satisfies Record<string, { emoji: string; label: string; tone: Tone }>;

/** Best-effort marker for free-form run statuses ("completed", "failed", "running"…). */
export function runStatusEmoji(status: string): string {
  const s = status.toLowerCase();
  if (/(complete|done|succe|finished)/.test(s)) return '✅';
  if (/(fail|error)/.test(s)) return '❌';
  if (/(cancel|warn|partial)/.test(s)) return '⚠️';
  return '⏳';
}

export const copyRunStatus = {
  pending_approval: { emoji: '⏳', label: 'Waiting for approval', tone: 'info' },
  queued: { emoji: '⏳', label: 'Queued', tone: 'info' },
  running: { emoji: '⏳', label: 'Copying', tone: 'info' },
  completed: { emoji: '✅', label: 'Run complete', tone: 'success' },
  failed: { emoji: '❌', label: 'Run failed', tone: 'danger' },
  cancelled: { emoji: '⚠️', label: 'Run cancelled', tone: 'warning' },
} as const satisfies Record<string, { emoji: string; label: string; tone: Tone }>;

export const modeLabel = { structure: 'Structure', full: 'Full', delta: 'Delta', retry: 'Retry' } as const;

/** Health markers for mailbox rows: the same marker and words on both platforms. */
export const mailboxHealth = {
  healthy: { emoji: '⏳', label: 'Healthy', tone: 'info' },
  throttled: { emoji: '🐢', label: 'Throttled', tone: 'warning' },
  degraded: { emoji: '⚠️', label: 'Degraded', tone: 'warning' },
  stalled: { emoji: '⏸️', label: 'Stalled', tone: 'warning' },
  failed: { emoji: '❌', label: 'Failed', tone: 'danger' },
  done: { emoji: '✅', label: 'Done', tone: 'success' },
  pending: { emoji: '·', label: 'Waiting', tone: 'info' },
  cancelled: { emoji: '⊘', label: 'Cancelled', tone: 'warning' },
} as const satisfies Record<string, { emoji: string; label: string; tone: Tone }>;

export const logLevel = {
  info: { emoji: '·', tone: 'info' },
  warn: { emoji: '⚠️', tone: 'warning' },
  error: { emoji: '❌', tone: 'danger' },
} as const satisfies Record<string, { emoji: string; tone: Tone }>;
