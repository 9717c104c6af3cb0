import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import type { ConnectionSettings } from './connectors/types.js';
import { decryptSettings, encryptSettings, resolveSecretKey } from './secrets.js';

const settings: ConnectionSettings = { platform: 'imap', host: 'mail.example.com', port: 993, tls: true, mailboxes: [{ address: 'ada@example.com', password: 'hunter2-secret' }] };

describe('secrets', () => {
  const key = randomBytes(32).toString('base64');

  it('round-trips settings and never shows the password in the ciphertext', () => {
    const secret = encryptSettings(settings, key);
    expect(secret).not.toContain('hunter2');
    expect(Buffer.from(secret, 'base64').toString('latin1')).not.toContain('hunter2');
    expect(decryptSettings(secret, key)).toEqual(settings);
  });

  it('refuses a tampered ciphertext and a wrong key', () => {
    const raw = Buffer.from(encryptSettings(settings, key), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => decryptSettings(raw.toString('base64'), key)).toThrow(AppError);
    expect(() => decryptSettings(encryptSettings(settings, key), randomBytes(32).toString('base64'))).toThrow(/cannot be decrypted/);
  });

  it('generates a local key once (mode 0600) and reuses it', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mf-key-'));
    const first = resolveSecretKey({ dataDir, local: true });
    expect(Buffer.from(first, 'base64')).toHaveLength(32);
    expect(statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(resolveSecretKey({ dataDir, local: true })).toBe(first);
    expect(readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim()).toBe(first);
  });

  it('requires a configured key outside local mode, and checks its length', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mf-key-'));
    expect(() => resolveSecretKey({ dataDir, local: false })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    expect(() => resolveSecretKey({ configured: 'c2hvcnQ=', dataDir, local: false })).toThrow(/32 random bytes/);
    const key2 = randomBytes(32).toString('base64');
    expect(resolveSecretKey({ configured: key2, dataDir, local: false })).toBe(key2);
  });
});
