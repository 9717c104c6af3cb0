import { describe, expect, it } from 'vitest';
import type { MappingInfo, MatchReview, ProjectInfo } from '../../engine/index.js';
import { presentMatchReview } from './match-review.js';

const mailbox = (address: string) => ({ id: address, side: 'source' as const, address, displayName: address, kind: 'user' as const, folders: 1, mail: 1, events: 0, contacts: 0, bytes: 1, scanError: null });

function mapping(i: number): MappingInfo {
  return {
    id: `map${i}`, source: mailbox(`u${i}@a.example`), destination: null, destinationAddress: null, status: 'needs_review', confidence: 0.42, reason: 'no match', changedBy: 'mailferry',
    candidates: Array.from({ length: 150 }, (_, k) => `c${k}@b.example`),
  };
}

describe('presentMatchReview', () => {
  it('pages, caps candidates at 100 and turns confidence into a percent', () => {
    const review: MatchReview = {
      project: { id: 'p1', name: 'acme' } as ProjectInfo, filter: 'needs_review', page: 2, pageSize: 25, total: 60,
      counts: { matched: 0, needs_review: 60, excluded: 0, create_missing: 0, total: 60 },
      rows: Array.from({ length: 25 }, (_, i) => mapping(i)),
    };
    const view = presentMatchReview(review, 'u1@a.example excluded by Alex.');
    expect(view.pageCount).toBe(3);
    expect(view.more).toBe(10);
    expect(view.rows[0]).toMatchObject({ statusLabel: 'Needs review', confidencePercent: 42, destinationAddress: null });
    expect(view.rows[0]!.candidates).toHaveLength(100);
    expect(view.notice).toBe('u1@a.example excluded by Alex.');
    expect(view.actions.map((a) => a.label)).toEqual(expect.arrayContaining(['‹ Previous', 'Next ›', 'Export CSV', 'Import CSV']));
    // The engine's second page is the card's page 1; its buttons ask the engine for pages 1 and 3 through the bot.
    expect(view.page).toBe(1);
    expect(view.actions.filter((a) => a.verb === 'match.open' && a.label !== 'Show all').map((a) => a.data.page)).toEqual([0, 2]);
  });

  it('shows a single page as page 1 of 1 with no Previous', () => {
    const review: MatchReview = {
      project: { id: 'p1', name: 'acme' } as ProjectInfo, filter: 'needs_review', page: 1, pageSize: 25, total: 3,
      counts: { matched: 0, needs_review: 3, excluded: 0, create_missing: 0, total: 3 },
      rows: Array.from({ length: 3 }, (_, i) => mapping(i)),
    };
    const view = presentMatchReview(review);
    expect(view.page).toBe(0);
    expect(view.pageCount).toBe(1);
    expect(view.more).toBe(0);
    expect(view.actions.map((a) => a.label)).not.toContain('‹ Previous');
    expect(view.actions.map((a) => a.label)).not.toContain('Next ›');
  });
});
