import { describe, expect, it } from 'vitest';
import type { mailboxes } from '../db/schema.js';
import { candidatesFor, suggest } from './match-suggester.js';

type Row = typeof mailboxes.$inferSelect;
let n = 0;
const mbx = (address: string, displayName = '', side: 'source' | 'destination' = 'destination'): Row => ({
  id: `mbx_${++n}`, projectId: 'p', side, externalId: address, address, displayName, kind: 'user', folders: null, mail: null, events: null,
  contacts: null, bytes: null, scanError: null, lastScanRunId: 'r', createdAt: new Date(), updatedAt: new Date(),
});

describe('suggest', () => {
  const dests = [mbx('ada@new.example', 'Ada L'), mbx('bob@new.example', 'Bob B'), mbx('bob@other.example', 'Bob Other'), mbx('carol.x@new.example', 'Carol Smith')];

  it('matches the same address with certainty', () => {
    expect(suggest(mbx('ada@new.example', '', 'source'), dests, {})).toMatchObject({ status: 'matched', confidence: 1, reason: 'same address' });
  });

  it('matches the same name on another domain when it is unique, or under the domain map', () => {
    expect(suggest(mbx('ada@old.example', '', 'source'), dests, {})).toMatchObject({ status: 'matched', confidence: 0.9, destinationAddress: 'ada@new.example' });
    expect(suggest(mbx('bob@old.example', '', 'source'), dests, {})).toMatchObject({ status: 'needs_review', reason: 'ambiguous: 2 candidates' });
    expect(suggest(mbx('bob@old.example', '', 'source'), dests, { 'old.example': 'other.example' })).toMatchObject({ status: 'matched', confidence: 0.9, destinationAddress: 'bob@other.example' });
  });

  it('proposes an equal display name for review, and otherwise an address to create', () => {
    expect(suggest(mbx('csmith@old.example', 'carol smith', 'source'), dests, {})).toMatchObject({ status: 'needs_review', confidence: 0.7, destinationAddress: 'carol.x@new.example', reason: 'same display name' });
    expect(suggest(mbx('dan@old.example', 'Dan', 'source'), dests, {})).toMatchObject({ status: 'needs_review', confidence: 0, destinationMailboxId: null, destinationAddress: 'dan@new.example', reason: 'no destination mailbox' });
  });

  it('ranks candidates by name', () => {
    expect(candidatesFor(mbx('bob@old.example', 'Carol Smith', 'source'), dests).slice(0, 3)).toEqual(['bob@new.example', 'bob@other.example', 'carol.x@new.example']);
  });
});
