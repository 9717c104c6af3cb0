import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from './credit-policy.js';
import { costOf, identityOf, licenseExpiry, needLines, type CoveredSource } from './license-policy.js';

const box = (address: string, kind: string, externalId = `ext:${address}`): CoveredSource => ({ mailboxId: address, externalId, address, kind });

describe('license policy (DESIGN §5)', () => {
  it('charges one credit per unlicensed mailbox, nothing for a licensed one or a resource', () => {
    const licensed = new Map([['ext:b@x', new Date('2027-01-31T00:00:00Z')]]);
    const lines = needLines([box('a@x', 'user'), box('b@x', 'user'), box('room@x', 'room'), box('kit@x', 'equipment'), box('s@x', 'shared')], 'p1', DEFAULT_POLICY, licensed);
    expect(lines.map((l) => [l.sourceAddress, l.credits, l.reason])).toEqual([
      ['a@x', 1, 'unlicensed'], ['b@x', 0, 'licensed until 2027-01-31'], ['room@x', 0, 'resource mailbox: free'],
      ['kit@x', 0, 'resource mailbox: free'], ['s@x', 1, 'unlicensed']]);
  });

  it('charges resources when the org says so', () => {
    expect(costOf({ kind: 'room' }, { ...DEFAULT_POLICY, resourceFree: false }, undefined).credits).toBe(1);
  });

  it('keys a license on the source identity: an archive is its own, public folders one per project', () => {
    expect(identityOf({ externalId: 'imap:mail.example:ada@example.com', kind: 'user' }, 'p1')).toBe('imap:mail.example:ada@example.com');
    expect(identityOf({ externalId: 'guid-1', kind: 'archive' }, 'p1')).toBe('archive:guid-1');
    expect(identityOf({ externalId: 'anything', kind: 'public_folders' }, 'p1')).toBe('public_folders:p1');
    expect(identityOf({ externalId: 'anything', kind: 'public_folders' }, 'p2')).toBe('public_folders:p2');
  });

  it('charges public folders once per run however many covered mailboxes hold them, and by the policy', () => {
    const lines = needLines([box('pf1@x', 'public_folders'), box('pf2@x', 'public_folders')], 'p1', { ...DEFAULT_POLICY, publicFoldersCost: 30 }, new Map());
    expect(lines.map((l) => l.credits)).toEqual([30, 0]);
    expect(lines[0]?.reason).toBe('public folders: 30 once per project');
  });

  it('an archive costs its own credit even when its user is licensed', () => {
    const licensed = new Map([['guid-1', new Date('2027-01-01T00:00:00Z')]]);
    const [user, archive] = needLines([box('a@x', 'user', 'guid-1'), box('a@x', 'archive', 'guid-1')], 'p1', DEFAULT_POLICY, licensed);
    expect(user?.credits).toBe(0);
    expect(archive).toMatchObject({ credits: 1, reason: 'archive: its own license' });
  });

  it('a license lasts the policy months from consumption', () => {
    expect(licenseExpiry(new Date('2026-11-24T07:00:00Z'), 12).toISOString()).toBe('2027-11-24T07:00:00.000Z');
    expect(licenseExpiry(new Date('2026-11-24T07:00:00Z'), 3).toISOString()).toBe('2027-02-24T07:00:00.000Z');
  });
});
