import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { describeConsentError } from './m365-consent-errors.js';
import { signState, verifyState } from './m365-consent.js';

const key = randomBytes(32).toString('base64');
const state = { n: 'nonce', orgId: 'slack:T1', projectId: 'prj_1', projectName: 'acme', side: 'source' as const, channelKey: 'slack:T1:C1', userId: 'U1', userName: 'Ada', platformAdmin: false, exp: 1 };

describe('consent state', () => {
  it('round-trips what it signed', () => {
    expect(verifyState(key, signState(key, state))).toEqual(state);
  });

  it('refuses a state changed in transit, signed with another key, or malformed', () => {
    const signed = signState(key, state);
    const [body, mac] = signed.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...state, projectId: 'prj_other' })).toString('base64url');
    for (const bad of [`${forged}.${mac}`, signState(randomBytes(32).toString('base64'), state), body, `${signed}.x`, '']) {
      const error = (() => { try { verifyState(key, bad); return null; } catch (e) { return e; } })();
      expect(AppError.is(error, 'BAD_INPUT')).toBe(true);
      expect((error as AppError).userMessage).toMatch(/not valid/);
    }
  });
});

describe('consent error sentences', () => {
  const redirect = 'https://mf.example/consent/m365/callback';
  it('names the AADSTS code and what to do', () => {
    expect(describeConsentError('access_denied', 'AADSTS65004: User declined to consent to access the app.', redirect, 'app-1'))
      .toBe('The administrator declined the consent (AADSTS65004). Click “Grant admin consent” again and accept. Nothing was saved.');
    expect(describeConsentError('invalid_request', 'AADSTS50011: The redirect URI does not match.', redirect, 'app-1'))
      .toContain(`add ${redirect} as a Web redirect URI of the app app-1`);
  });

  it('repeats at most a bounded single line of an unknown error, without its trace', () => {
    const text = describeConsentError('server_error', `AADSTS99999: Something odd\nhappened. Trace ID: abc Correlation ID: def ${'x'.repeat(500)}`, redirect, 'app-1');
    expect(text).toContain('AADSTS99999: Something odd happened.');
    expect(text).not.toContain('Trace ID');
    expect(text.length).toBeLessThan(400);
  });
});
