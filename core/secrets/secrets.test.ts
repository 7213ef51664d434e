import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, silentLogger, tempDir, testConfig } from '../../tests/helpers/services.js';
import { AppError } from '../errors.js';
import { KEY_FILE, keyringFromKeys, loadKeyring } from './keyring.js';
import { keyUsage, rotateKeys } from './rotate.js';
import { decryptSecret, encryptSecret } from './secret-box.js';
import { listSecretNames, putSecret, readSecret } from './secrets.repository.js';

const newKey = () => randomBytes(32).toString('base64');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? `${err.code}: ${err.message}` : String(err);
  }
  return undefined;
}

describe('secret envelopes (AES-256-GCM)', () => {
  const keyring = keyringFromKeys(newKey(), []);

  it('round-trips, with a fresh IV each time', () => {
    const a = encryptSecret(keyring, 'wx-secret-值', 'ctx');
    const b = encryptSecret(keyring, 'wx-secret-值', 'ctx');
    expect(a).not.toBe(b);
    expect(a.startsWith(`v1.${keyring.current.id}.`)).toBe(true);
    expect(decryptSecret(keyring, a, 'ctx')).toBe('wx-secret-值');
  });

  it('refuses any altered part, another context, or a malformed value', () => {
    const env = encryptSecret(keyring, 'secret', 'secrets:account:1:app_secret');
    const parts = env.split('.');
    for (const i of [2, 3, 4]) {
      const p = [...parts];
      const s = p[i] as string;
      p[i] = `${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
      expect(codeOf(() => decryptSecret(keyring, p.join('.'), 'secrets:account:1:app_secret'))).toMatch(
        /^SECRET_UNREADABLE/,
      );
    }
    expect(codeOf(() => decryptSecret(keyring, env, 'secrets:account:2:app_secret'))).toMatch(
      /altered, or belongs to another record/,
    );
    expect(codeOf(() => decryptSecret(keyring, 'plain text', 'x'))).toMatch(/not an encrypted value/);
  });

  it('names an unknown key id and how to fix it', () => {
    const other = keyringFromKeys(newKey(), []);
    const env = encryptSecret(other, 'secret', 'c');
    expect(codeOf(() => decryptSecret(keyring, env, 'c'))).toMatch(
      new RegExp(`key ${other.current.id}.*APP_ENCRYPTION_KEYS_PREVIOUS`),
    );
  });
});

describe('the generated key file', () => {
  it('is created once with mode 0600 and reused', async () => {
    const dir = await tempDir();
    try {
      const config = testConfig({ DATA_DIR: dir.dir, APP_ENCRYPTION_KEY: undefined });
      const first = await loadKeyring(config, silentLogger);
      const file = path.join(dir.dir, KEY_FILE);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const second = await loadKeyring(config, silentLogger);
      expect(second.current.id).toBe(first.current.id);
      expect((await readFile(file, 'utf8')).trim()).toBe(first.current.key.toString('base64'));
    } finally {
      await dir.remove();
    }
  });
});

describe('stored secrets and key rotation (real PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  beforeAll(async () => {
    database = await createMigratedDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('stores, lists names only, and re-encrypts everything under a new key', async () => {
    const keyA = newKey();
    const keyB = newKey();
    const a = keyringFromKeys(keyA, []);
    for (let i = 0; i < 5; i++)
      await putSecret(database.db, a, {
        ownerType: 'account',
        ownerId: `acc-${i}`,
        name: 'app_secret',
        value: `secret-${i}`,
      });
    const user = await database.db
      .insertInto('users')
      .values({
        username: 'totp.user',
        display_name: 'T',
        role: 'editor',
        totp_secret: encryptSecret(a, 'JBSWY3DPEHPK3PXP', 'users.totp_secret:pending'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await database.db
      .updateTable('users')
      .set({ totp_secret: encryptSecret(a, 'JBSWY3DPEHPK3PXP', `users.totp_secret:${user.id}`) })
      .where('id', '=', user.id)
      .execute();
    expect(await listSecretNames(database.db, { ownerType: 'account', ownerId: 'acc-1' })).toEqual([
      { name: 'app_secret', updatedAt: expect.any(Date) },
    ]);

    const b = keyringFromKeys(keyB, [keyA]);
    const report = await rotateKeys(database.db, b);
    expect(report).toEqual({ secrets: 5, totpSecrets: 1, alreadyCurrent: 0 });
    expect(await keyUsage(database.db)).toEqual([{ keyId: b.current.id, values: 6 }]);

    const onlyB = keyringFromKeys(keyB, []);
    expect(
      await readSecret(database.db, onlyB, { ownerType: 'account', ownerId: 'acc-3', name: 'app_secret' }),
    ).toBe('secret-3');
    const row = await database.db
      .selectFrom('users')
      .select('totp_secret')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(decryptSecret(onlyB, row.totp_secret as string, `users.totp_secret:${user.id}`)).toBe(
      'JBSWY3DPEHPK3PXP',
    );
    expect(await rotateKeys(database.db, b)).toEqual({ secrets: 0, totpSecrets: 0, alreadyCurrent: 6 });
  });

  it('stops, naming the key, when a value was encrypted under a key it does not have', async () => {
    const lost = keyringFromKeys(newKey(), []);
    await putSecret(database.db, lost, {
      ownerType: 'account',
      ownerId: 'lost',
      name: 'app_secret',
      value: 'x',
    });
    const before = await keyUsage(database.db);
    const stranger = keyringFromKeys(newKey(), []);
    const err = await rotateKeys(database.db, stranger).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    const named = /encrypted with key ([0-9a-f]{12}), which is not configured/.exec(
      (err as AppError).message,
    )?.[1];
    expect(before.map((u) => u.keyId)).toContain(named);
    expect(named).not.toBe(stranger.current.id);
    // The failing batch rolled back: every value is still under the key it had.
    expect(await keyUsage(database.db)).toEqual(before);
    expect(before.map((u) => u.keyId)).toContain(lost.current.id);
  });
});
