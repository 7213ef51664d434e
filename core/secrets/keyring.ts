import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { StartupError } from '../errors.js';
import type { Logger } from '../logger.js';

/** The key that encrypts, and every key that may still decrypt, by id. */
export interface Keyring {
  current: { id: string; key: Buffer };
  byId: ReadonlyMap<string, Buffer>;
}

/** A key's id is derived from the key itself, so ids are stable and need no configuration. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('yunying-key-id\0').update(key).digest('hex').slice(0, 12);
}

function decodeKey(base64: string, what: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32)
    throw new StartupError(`${what} is not 32 bytes of base64`, 'Create one with `openssl rand -base64 32`.');
  return key;
}

export function keyringFromKeys(current: string, previous: readonly string[]): Keyring {
  const key = decodeKey(current, 'APP_ENCRYPTION_KEY');
  const byId = new Map<string, Buffer>([[keyId(key), key]]);
  for (const p of previous) {
    const old = decodeKey(p, 'A key in APP_ENCRYPTION_KEYS_PREVIOUS');
    byId.set(keyId(old), old);
  }
  return { current: { id: keyId(key), key }, byId };
}

export const KEY_FILE = 'encryption.key';

/**
 * APP_ENCRYPTION_KEY, or else DATA_DIR/encryption.key — created once (mode 0600) so the embedded demo
 * runs without setup. Production sets the variable; the warning says so (it never prints the key).
 */
export async function loadKeyring(config: Config, logger: Logger): Promise<Keyring> {
  if (config.encryptionKey) return keyringFromKeys(config.encryptionKey, config.encryptionKeysPrevious);
  const file = path.join(config.dataDir, KEY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(config.dataDir, { recursive: true });
    text = randomBytes(32).toString('base64');
    await writeFile(file, `${text}\n`, { mode: 0o600, flag: 'wx' }).catch(
      async (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
        text = await readFile(file, 'utf8'); // another process created it first
      },
    );
    await chmod(file, 0o600);
  }
  if (!/^[A-Za-z0-9+/]{43}=\s*$/.test(text))
    throw new StartupError(
      `${file} does not hold a 32-byte base64 key`,
      'Restore it from a backup, or set APP_ENCRYPTION_KEY.',
    );
  logger.warn(
    { file },
    'APP_ENCRYPTION_KEY is not set: secrets are encrypted with the generated key file; back it up, and set the variable in production',
  );
  return keyringFromKeys(text, config.encryptionKeysPrevious);
}
