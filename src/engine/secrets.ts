import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';
import type { ConnectionSettings } from './connectors/types.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyBytes(secretKey: string): Buffer {
  const key = Buffer.from(secretKey, 'base64');
  if (key.length !== 32) {
    throw new AppError('CONFIG', 'MAILFERRY_SECRET_KEY must be 32 random bytes in base64 (for example the output of `openssl rand -base64 32`).');
  }
  return key;
}

/** AES-256-GCM of the settings JSON, stored as base64(iv | tag | ciphertext). */
export function encryptSettings(settings: ConnectionSettings, secretKey: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyBytes(secretKey), iv);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(settings), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

export function decryptSettings(secret: string, secretKey: string): ConnectionSettings {
  const raw = Buffer.from(secret, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyBytes(secretKey), raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as ConnectionSettings;
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError('CONFIG', 'A saved connection cannot be decrypted: MAILFERRY_SECRET_KEY differs from the key it was saved with. Restore the old key, or save the connection again.', { cause });
  }
}

/**
 * The key that encrypts saved credentials. Locally we generate one beside the data (mode 0600)
 * so a first run needs no setup; a shared deployment must configure it, because a key generated
 * on one replica would be unknown to the others.
 */
export function resolveSecretKey(props: { configured?: string; dataDir: string; local: boolean }): string {
  if (props.configured) {
    keyBytes(props.configured);
    return props.configured;
  }
  if (!props.local) {
    throw new AppError('CONFIG', 'MAILFERRY_SECRET_KEY is not set. Generate one with `openssl rand -base64 32` and give every mailferry process the same value.');
  }
  const file = path.join(props.dataDir, 'secret.key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    keyBytes(key);
    return key;
  }
  mkdirSync(props.dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
