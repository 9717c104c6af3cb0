import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors.js';
import { toImapAppError } from './imap-errors.js';

const site = { address: 'alice@example.com', server: 'imap.example.com:993' };

describe('toImapAppError', () => {
  it('turns a refused login into AUTH_FAILED naming the account, never the password or the command', () => {
    const failure = Object.assign(new Error('Authentication failed'), { authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED', executedCommand: 'A1 LOGIN alice@example.com hunter2' });
    const error = toImapAppError(failure, site);
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.userMessage).toMatch(/^alice@example\.com: the server refused the password \(AUTHENTICATIONFAILED\)\./);
    expect(JSON.stringify({ message: error.message, cause: String(error.cause), details: error.details })).not.toContain('hunter2');
  });

  it('turns socket failures into retryable CONNECTION_FAILED with host and port', () => {
    const error = toImapAppError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), site);
    expect(error.code).toBe('CONNECTION_FAILED');
    expect(error.retryable).toBe(true);
    expect(error.userMessage).toContain('imap.example.com:993 (ECONNREFUSED)');
  });

  it('turns server pushback into THROTTLED with a delay', () => {
    const error = toImapAppError(Object.assign(new Error('NO'), { serverResponseCode: 'LIMIT', responseText: 'Too many concurrent requests' }), site);
    expect(error.code).toBe('THROTTLED');
    expect(error.retryAfterMs).toBeGreaterThan(0);
    const dovecot = toImapAppError(new Error('Maximum number of connections from user+IP exceeded (mail_max_userip_connections=10)'), site);
    expect(dovecot.code).toBe('THROTTLED');
  });

  it('maps a missing folder to NOT_FOUND and keeps AppErrors as they are', () => {
    expect(toImapAppError(Object.assign(new Error('NO'), { mailboxMissing: true }), site).code).toBe('NOT_FOUND');
    const original = new AppError('BAD_INPUT', 'x');
    expect(toImapAppError(original, site)).toBe(original);
  });
});
