import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import type { Keyring } from './keyring.js';

/**
 * AES-256-GCM envelopes: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id says which
 * key decrypts (rotation); `context` (for example `secrets:account:<id>:app_secret`) is bound as
 * additional authenticated data, so a ciphertext copied into another row does not decrypt.
 */
export function encryptSecret(keyring: Keyring, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyring.current.key, iv);
  cipher.setAAD(Buffer.from(context));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ct].map((b) => b.toString('base64url'));
  return ['v1', keyring.current.id, ...parts].join('.');
}

const unreadable = (why: string, details?: Record<string, unknown>) =>
  new AppError('SECRET_UNREADABLE', `A stored secret cannot be decrypted: ${why}`, 500, details);

export function envelopeKeyId(envelope: string): string {
  const [version, id] = envelope.split('.');
  if (version !== 'v1' || !id) throw unreadable('not an encrypted value');
  return id;
}

export function decryptSecret(keyring: Keyring, envelope: string, context: string): string {
  const parts = envelope.split('.');
  if (parts.length !== 5 || parts[0] !== 'v1') throw unreadable('not an encrypted value');
  const [, id, iv, tag, ct] = parts as [string, string, string, string, string];
  const key = keyring.byId.get(id);
  if (!key)
    throw unreadable(
      `it was encrypted with key ${id}, which is not configured; add that key to APP_ENCRYPTION_KEYS_PREVIOUS`,
      {
        keyId: id,
      },
    );
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw unreadable('it was altered, or belongs to another record');
  }
}
