import { describe, expect, it } from 'vitest';
import { commandArg, formatBytes, formatCount, formatDuration } from './format.js';

describe('format', () => {
  it('groups thousands', () => {
    expect(formatCount(1234)).toBe('1,234');
    expect(formatCount(null)).toBe('0');
  });
  it('shows sizes as a person reads them', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(45.2 * 1024 * 1024)).toBe('45.2 MB');
    expect(formatBytes(2 * 1024 ** 3)).toBe('2 GB');
    expect(formatBytes(150 * 1024)).toBe('150 KB');
  });
  it('says durations in words', () => {
    expect(formatDuration(30)).toBe('under a minute');
    expect(formatDuration(12_000)).toBe('about 3 h 20 min');
    expect(formatDuration(3600)).toBe('about 1 h');
    expect(formatDuration(2 * 86_400 + 4 * 3600)).toBe('about 2 d 4 h');
  });
  it('quotes names with spaces', () => {
    expect(commandArg('Acme Corp')).toBe('"Acme Corp"');
    expect(commandArg('acme')).toBe('acme');
  });
});
