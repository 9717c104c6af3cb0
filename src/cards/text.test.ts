import { describe, expect, it } from 'vitest';
import { formatUtc, moreLine, neutralise, progressBar, slackEscape, truncate } from './text.js';

describe('text helpers', () => {
  it('truncates without splitting emoji and marks the cut', () => {
    expect(truncate('short', 10)).toBe('short');
    const cut = truncate('📦📦📦📦📦📦', 6);
    expect(cut.length).toBeLessThanOrEqual(6);
    expect(cut).toBe('📦📦…');
  });

  it('draws a progress bar, clamped', () => {
    expect(progressBar(52)).toBe('▓▓▓▓▓░░░░░ 52 %');
    expect(progressBar(140)).toBe('▓▓▓▓▓▓▓▓▓▓ 100 %');
    expect(progressBar(Number.NaN)).toBe('░░░░░░░░░░ 0 %');
  });

  it('neutralises template syntax and escapes Slack control characters', () => {
    expect(neutralise('${x}')).not.toContain('${');
    expect(neutralise('/migrate scan <project> [all|export]')).toBe('/migrate scan ‹project› [all|export]');
    expect(neutralise('a < b and c > d')).toBe('a < b and c > d');
    expect(slackEscape('<@U1> & <!here>')).toBe('&lt;@U1&gt; &amp; &lt;!here&gt;');
  });

  it('formats counts and dates', () => {
    expect(moreLine(4980)).toBe('…and 4,980 more');
    expect(moreLine(0)).toBeNull();
    expect(formatUtc('2026-11-24T04:25:31.000Z')).toBe('2026-11-24 04:25 UTC');
    expect(formatUtc('yesterday')).toBe('yesterday');
  });
});
