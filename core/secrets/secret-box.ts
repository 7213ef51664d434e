import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import type { Keyring } from './keyring.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM envelopes: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id says which
 * key decrypts (rotation); `context` (for example `secrets:account:<id>:app_secret`) is bound as
 * additional authenticated data, so a ciphertext copied into another row does not decrypt.
 */
export function encryptSecret(keyring: Keyring, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyring.current.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
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
  const [, id, ivText, tagText, ctText] = parts as [string, string, string, string, string];
  const key = keyring.byId.get(id);
  if (!key)
    throw unreadable(
      `it was encrypted with key ${id}, which is not configured; add that key to APP_ENCRYPTION_KEYS_PREVIOUS`,
      { keyId: id },
    );
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  // GCM would accept a shortened tag, and a 4-byte tag can be forged by trying: insist on the full 16.
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw unreadable('not an encrypted value');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(ctText, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw unreadable('it was altered, or belongs to another record');
  }
}
