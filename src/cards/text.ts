/**
 * Text helpers shared by both renderers. Pure string functions; no platform knowledge except
 * where named (Slack mrkdwn escaping).
 */

/** Neutralises Adaptive Card template syntax in user text: a mailbox named `${x}` must show as
 * text and never look like an unresolved binding. A zero-width space keeps it readable. Teams
 * also drops anything that looks like an HTML tag, so usage placeholders such as `<project>`
 * become `‹project›` instead of vanishing. */
export function neutralise(text: string): string {
  return text.replaceAll('${', '$\u200B{').replace(/<([a-z][\w |.-]*)>/gi, '‹$1›');
}

/** Cuts text to `max` characters (code points are not split), ending with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  let out = '';
  for (const ch of chars) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "…and 4,980 more", or null when nothing was left out. */
export function moreLine(more: number, what = 'more'): string | null {
  return more > 0 ? `…and ${formatCount(more)} ${what}` : null;
}

/** "▓▓▓▓▓░░░░░ 52 %": a progress bar both platforms can show as plain text. */
export function progressBar(percent: number, width = 10): string {
  const p = Math.max(0, Math.min(100, Math.round(Number.isFinite(percent) ? percent : 0)));
  const filled = Math.round((p / 100) * width);
  return `${'▓'.repeat(filled)}${'░'.repeat(width - filled)} ${p} %`;
}

/** Slack mrkdwn needs &, < and > escaped in user text so it cannot forge links or mentions. */
export function slackEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** "2026-11-24 04:25 UTC" from an ISO timestamp; the input unchanged when it does not parse. */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
