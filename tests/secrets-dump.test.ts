import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpSecretContext } from '../core/identity/login.service.js';
import { keyringFromKeys } from '../core/secrets/keyring.js';
import { encryptSecret } from '../core/secrets/secret-box.js';
import { putSecret } from '../core/secrets/secrets.repository.js';
import { createMigratedDatabase } from './helpers/services.js';

describe('a database dump holds no plaintext secret', () => {
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  beforeAll(async () => {
    database = await createMigratedDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('stores an AppSecret and a TOTP secret; pg_dump shows neither, only their envelopes', async () => {
    const keyring = keyringFromKeys(randomBytes(32).toString('base64'), []);
    const appSecret = 'wx-appsecret-KNOWN-1234567890abcdef';
    const totpSecret = 'KNOWNTOTPSECRETBASE32AAAAAAAAAAA';
    await putSecret(database.db, keyring, {
      ownerType: 'account',
      ownerId: 'wx-lottery',
      name: 'app_secret',
      value: appSecret,
    });
    const user = await database.db
      .insertInto('users')
      .values({ username: 'dump.check', display_name: 'D', role: 'editor' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await database.db
      .updateTable('users')
      .set({ totp_secret: encryptSecret(keyring, totpSecret, totpSecretContext(user.id)) })
      .where('id', '=', user.id)
      .execute();

    // The whole database, schema and every table's data, as a backup would hold it.
    const { stdout } = await promisify(execFile)('pg_dump', ['--dbname', database.url], {
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(stdout).toContain('COPY public.secrets');
    expect(stdout).not.toContain(appSecret);
    expect(stdout).not.toContain(totpSecret);
    expect(stdout).not.toContain(Buffer.from(appSecret).toString('base64'));
    // Control: the dump does hold the rows, encrypted under our key id.
    expect(stdout).toContain(`v1.${keyring.current.id}.`);
    expect(stdout).toContain('wx-lottery');
  });
});
