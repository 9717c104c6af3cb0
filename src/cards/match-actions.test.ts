import { describe, expect, it } from 'vitest';
import { parseAction } from './verbs.js';
import { matchNavButtons, matchRowButtons, overrideInputId, readOverrideDestination } from './match-actions.js';
import { matchReviewFixture } from './view-fixtures.js';

describe('match actions', () => {
  it('reads the override destination from Slack (`destination`) or Teams (per-row input)', () => {
    const base = { projectId: 'p', mappingId: 'm-1' };
    expect(readOverrideDestination({ ...base, destination: 'a@x.example' })).toBe('a@x.example');
    expect(readOverrideDestination({ ...base, [overrideInputId('m-1')]: ' b@x.example ', [overrideInputId('m-2')]: 'other@x.example' })).toBe('b@x.example');
    expect(readOverrideDestination({ ...base, [overrideInputId('m-1')]: '' })).toBeUndefined();
  });

  it('a Teams click carrying every row input still parses and finds its own row', () => {
    const data = { projectId: 'p', mappingId: 'm-2', filter: 'all', page: 0, [overrideInputId('m-1')]: 'wrong@x.example', [overrideInputId('m-2')]: 'right@x.example' };
    const parsed = parseAction('mapping.override', data);
    expect(parsed.ok).toBe(true);
    if (parsed.ok && parsed.action.verb === 'mapping.override') expect(readOverrideDestination(parsed.action.payload)).toBe('right@x.example');
  });

  it('offers the row actions that fit each status', () => {
    const view = matchReviewFixture(8, 8);
    const verbsOf = (i: number) => matchRowButtons(view, view.rows[i]!).map((b) => b.verb);
    expect(verbsOf(0)).toEqual(['mapping.override', 'mapping.exclude']);
    expect(verbsOf(1)).toEqual(['mapping.override', 'mapping.create_missing', 'mapping.exclude']);
    expect(verbsOf(2)).toEqual(['mapping.override', 'mapping.exclude']);
    expect(verbsOf(3)).toEqual(['mapping.include']);
  });

  it('pages and toggles the filter', () => {
    const first = { ...matchReviewFixture(60), page: 0, filter: 'needs_review' as const };
    expect(matchNavButtons(first).map((b) => b.label)).toEqual(['Next ▶', 'Show all (60)']);
    const last = { ...first, page: first.pageCount - 1, filter: 'all' as const };
    expect(matchNavButtons(last).map((b) => b.label)).toEqual(['◀ Previous', 'Needs review only (7)']);
  });
});
