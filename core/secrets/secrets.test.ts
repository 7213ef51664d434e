import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, silentLogger, tempDir, testConfig } from '../../tests/helpers/services.js';
import { AppError, StartupError } from '../errors.js';
import { totpSecretContext } from '../identity/login.service.js';
import { createLogger } from '../logger.js';
import { KEY_FILE, keyringFromKeys, loadKeyring } from './keyring.js';
import { keyUsage, rotateKeys } from './rotate.js';
import { decryptSecret, encryptSecret } from './secret-box.js';
import { listSecretNames, putSecret, readSecret } from './secrets.repository.js';

const newKey = () => randomBytes(32).toString('base64');

function capturedLogger() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; msg?: string });
  return { logger: createLogger('info', stream), text, lines };
}

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
    const context = 'secrets:account:1:app_secret';
    const env = encryptSecret(keyring, 'secret', context);
    const parts = env.split('.');
    // Flip one bit of each part's bytes (the version and key id as text, the rest as base64url).
    const flipped = parts.map((part, i) => {
      const bytes = Buffer.from(part, i < 2 ? 'utf8' : 'base64url');
      bytes[0] = (bytes[0] as number) ^ 0x01;
      return bytes.toString(i < 2 ? 'utf8' : 'base64url');
    });
    for (let i = 0; i < parts.length; i++) {
      const altered = parts.map((p, j) => (j === i ? flipped[i] : p)).join('.');
      expect(altered).not.toBe(env);
      expect(
        codeOf(() => decryptSecret(keyring, altered, context)),
        `part ${i}`,
      ).toMatch(/^SECRET_UNREADABLE/);
    }
    const truncatedTag = parts.map((p, j) =>
      j === 3 ? Buffer.from(p, 'base64url').subarray(0, 4).toString('base64url') : p,
    );
    expect(codeOf(() => decryptSecret(keyring, truncatedTag.join('.'), context))).toMatch(
      /^SECRET_UNREADABLE/,
    );
    expect(codeOf(() => decryptSecret(keyring, env, 'secrets:account:2:app_secret'))).toMatch(
      /^SECRET_UNREADABLE: .*altered, or belongs to another record/,
    );
    expect(codeOf(() => decryptSecret(keyring, 'plain text', 'x'))).toMatch(
      /^SECRET_UNREADABLE: .*not an encrypted value/,
    );
    expect(decryptSecret(keyring, env, context)).toBe('secret');
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
  it('is created once with mode 0600, reused, and announced without the key', async () => {
    const dir = await tempDir();
    try {
      const dataDir = path.join(dir.dir, 'not', 'yet', 'there');
      const config = testConfig({ DATA_DIR: dataDir, APP_ENCRYPTION_KEY: undefined });
      const log = capturedLogger();
      const first = await loadKeyring(config, log.logger);
      const file = path.join(dataDir, KEY_FILE);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const second = await loadKeyring(config, silentLogger);
      expect(second.current.id).toBe(first.current.id);
      expect((await readFile(file, 'utf8')).trim()).toBe(first.current.key.toString('base64'));

      const warnings = log.lines().filter((l) => l.level === 40);
      expect(warnings).toHaveLength(1);
      expect(String(warnings[0]?.msg)).toContain('APP_ENCRYPTION_KEY');
      expect(log.text()).not.toContain(first.current.key.toString('base64'));
    } finally {
      await dir.remove();
    }
  });

  it('is not used when APP_ENCRYPTION_KEY is set', async () => {
    const dir = await tempDir();
    try {
      const key = newKey();
      const keyring = await loadKeyring(
        testConfig({ DATA_DIR: dir.dir, APP_ENCRYPTION_KEY: key }),
        silentLogger,
      );
      expect(keyring.current.id).toBe(keyringFromKeys(key, []).current.id);
      await expect(stat(path.join(dir.dir, KEY_FILE))).rejects.toThrow(/ENOENT/);
    } finally {
      await dir.remove();
    }
  });

  it('stops start-up with a hint when the file is damaged', async () => {
    const dir = await tempDir();
    try {
      await writeFile(path.join(dir.dir, KEY_FILE), 'not-a-key\n', { mode: 0o600 });
      const err = await loadKeyring(
        testConfig({ DATA_DIR: dir.dir, APP_ENCRYPTION_KEY: undefined }),
        silentLogger,
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StartupError);
      expect((err as StartupError).message).toContain(KEY_FILE);
      expect((err as StartupError).hint).toMatch(/backup|APP_ENCRYPTION_KEY/);
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
      .set({ totp_secret: encryptSecret(a, 'JBSWY3DPEHPK3PXP', totpSecretContext(user.id)) })
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
    expect(decryptSecret(onlyB, row.totp_secret as string, totpSecretContext(user.id))).toBe(
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

describe('rotation of more values than one batch holds', () => {
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  beforeAll(async () => {
    database = await createMigratedDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('reaches every row, reporting progress up to the total', async () => {
    const keyA = newKey();
    const a = keyringFromKeys(keyA, []);
    const refs = Array.from({ length: 450 }, (_, i) => ({
      owner_type: 'account',
      owner_id: `bulk-${i}`,
      name: 'access_token',
    }));
    await database.db
      .insertInto('secrets')
      .values(
        refs.map((r, i) => ({
          ...r,
          ciphertext: encryptSecret(a, `token-${i}`, `secrets:account:${r.owner_id}:access_token`),
          key_id: a.current.id,
        })),
      )
      .execute();
    const b = keyringFromKeys(newKey(), [keyA]);
    const progress: Array<[number, number]> = [];
    const report = await rotateKeys(database.db, b, {
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(report).toEqual({ secrets: 450, totpSecrets: 0, alreadyCurrent: 0 });
    expect(progress.at(-1)).toEqual([450, 450]);
    expect(progress.length).toBeGreaterThan(1);
    expect(await keyUsage(database.db)).toEqual([{ keyId: b.current.id, values: 450 }]);
    const keyIds = await database.db.selectFrom('secrets').select('key_id').distinct().execute();
    expect(keyIds).toEqual([{ key_id: b.current.id }]);
    expect(
      await readSecret(database.db, keyringFromKeys(b.current.key.toString('base64'), []), {
        ownerType: 'account',
        ownerId: 'bulk-449',
        name: 'access_token',
      }),
    ).toBe('token-449');
  });
});
