import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorityMetadata, certificateCredential } from './m365-auth.js';

describe('m365 sign-in setup', () => {
  it('gives msal the authority endpoints up front (no discovery round trip)', () => {
    expect(JSON.parse(authorityMetadata('https://127.0.0.1:8443/', 'tenant-1'))).toMatchObject({
      token_endpoint: 'https://127.0.0.1:8443/tenant-1/oauth2/v2.0/token', issuer: 'https://127.0.0.1:8443/tenant-1/v2.0',
    });
  });

  it('reads a certificate PEM into the SHA-256 thumbprint msal sends, and refuses a PEM without its key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-cert-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=mailferry', '-days', '2', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
      const key = readFileSync(join(dir, 'k.pem'), 'utf8');
      const cert = readFileSync(join(dir, 'c.pem'), 'utf8');
      const fingerprint = execFileSync('openssl', ['x509', '-in', join(dir, 'c.pem'), '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
      const credential = certificateCredential(`${key}\n${cert}`);
      expect(credential.thumbprintSha256).toBe(fingerprint.split('=')[1]!.trim().replace(/:/g, '').toLowerCase());
      expect(credential.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(() => certificateCredential(cert)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
