import { describe, expect, it } from 'vitest';
import { checkPolicy } from './credit-policy.js';

describe('credit policy changes', () => {
  it('accepts whole numbers in range and booleans', () => {
    expect(checkPolicy({ perMailbox: 2, selfApproval: true, licenseMonths: 24 })).toEqual({ perMailbox: 2, selfApproval: true, licenseMonths: 24 });
  });

  it('refuses fractions, negatives, out-of-range values and unknown settings with the field named', () => {
    expect(() => checkPolicy({ perMailbox: 1.5 })).toThrow(/perMailbox must be a whole number from 0 to 1000/);
    expect(() => checkPolicy({ holdTtlHours: 0 })).toThrow(/holdTtlHours must be a whole number from 1/);
    expect(() => checkPolicy({ licenseMonths: -1 })).toThrow(/licenseMonths/);
    expect(() => checkPolicy({ resourceFree: 'yes' as unknown as boolean })).toThrow(/resourceFree is true or false/);
    expect(() => checkPolicy({ bogus: 1 } as never)).toThrow(/"bogus" is not a credit policy setting/);
  });
});
