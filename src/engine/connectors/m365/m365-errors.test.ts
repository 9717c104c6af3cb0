import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors.js';
import { GraphHttpError, aadstsCode, graphError, retryAfterMs, signInError } from './m365-errors.js';

describe('m365 errors', () => {
  it('names the AADSTS code and what to fix for the sign-in failures admins meet', () => {
    const wrong = signInError(Object.assign(new Error('invalid_client: AADSTS7000215: Invalid client secret provided. Trace ID: x'), { errorCode: 'invalid_client' }), 't1');
    expect(wrong).toMatchObject({ code: 'AUTH_FAILED', details: { aadsts: 'AADSTS7000215' } });
    expect(wrong.userMessage).toBe('Signing in to Microsoft 365 tenant t1 failed (AADSTS7000215). The client secret is wrong: copy the secret\'s Value (not its ID) from Entra ID → App registrations → Certificates & secrets.');
    expect(signInError(new Error('AADSTS7000222: expired'), 't1').userMessage).toContain('has expired');
    expect(signInError(new Error('AADSTS700016: not found in the directory'), 't1').userMessage).toContain('admin consent');
    expect(signInError(new Error('AADSTS90002: Tenant not found'), 't1').userMessage).toContain('tenant was not found');
    expect(signInError(new Error('connect ECONNREFUSED 127.0.0.1:1'), 't1')).toMatchObject({ code: 'CONNECTION_FAILED', retryable: true });
    expect(aadstsCode('nothing here')).toBeUndefined();
  });

  it('turns a 403 into the missing permission and "grant admin consent"', () => {
    const denied = graphError(new GraphHttpError(403, 'Authorization_RequestDenied', 'Insufficient privileges'), { doing: 'listing the tenant\'s users', permission: 'User.Read.All' });
    expect(denied.code).toBe('AUTH_FAILED');
    expect(denied.userMessage).toContain('lacks the application permission User.Read.All');
    expect(denied.userMessage).toContain('grant admin consent');
  });

  it('makes 429 and 503 THROTTLED with Retry-After, and sorts the rest by who can act', () => {
    const site = { doing: 'writing a message' };
    expect(graphError(new GraphHttpError(429, 'ApplicationThrottled', 'x', 7000), site)).toMatchObject({ code: 'THROTTLED', retryAfterMs: 7000, retryable: true });
    expect(graphError(new GraphHttpError(503, 'ServiceUnavailable', 'x', 1000), site)).toMatchObject({ code: 'THROTTLED', retryAfterMs: 1000 });
    expect(graphError(new GraphHttpError(413, 'RequestEntityTooLarge', 'x'), site).code).toBe('UNSUPPORTED');
    expect(graphError(new GraphHttpError(404, 'MailboxNotEnabledForRESTAPI', 'x'), site).code).toBe('NOT_FOUND');
    expect(graphError(new GraphHttpError(400, 'ErrorInvalidRequest', 'bad'), site).code).toBe('BAD_INPUT');
    expect(graphError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), site)).toMatchObject({ code: 'CONNECTION_FAILED', retryable: true });
    const kept = new AppError('NOT_FOUND', 'x');
    expect(graphError(kept, site)).toBe(kept);
  });

  it('reads Retry-After in seconds or as a date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
