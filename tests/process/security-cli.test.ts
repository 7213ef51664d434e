import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../core/audit/audit.repository.js';
import { keyringFromKeys } from '../../core/secrets/keyring.js';
import { putSecret, readSecret } from '../../core/secrets/secrets.repository.js';
import { createMigratedDatabase } from '../helpers/services.js';
import { spawnTs } from '../helpers/spawn.js';
import { testServiceUrls } from '../helpers/urls.js';

async function cli(args: string[], env: Record<string, string>) {
  const s = spawnTs('bin/cli.ts', args, { REDIS_URL: testServiceUrls().redisUrl, ...env });
  const { code } = await s.exited;
  return { code, stdout: s.stdout(), stderr: s.stderr() };
}

describe('audit:verify and keys:rotate from the command line', () => {
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  beforeAll(async () => {
    database = await createMigratedDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('audit:verify passes on an intact log and names the row altered directly in the database', async () => {
    for (let i = 0; i < 10; i++)
      await recordAudit(database.db, { action: 'auth.login', actorKind: 'anonymous', details: { i } });
    const ok = await cli(['audit:verify'], { DATABASE_URL: database.url });
    expect(ok.stdout).toContain('Audit log intact: 10 rows checked.');
    expect(ok.code).toBe(0);

    const target = await database.db
      .selectFrom('audit_log')
      .select('id')
      .orderBy('id')
      .offset(6)
      .limit(1)
      .executeTakeFirstOrThrow();
    await database.db.transaction().execute(async (tx) => {
      await sql`set local session_replication_role = replica`.execute(tx);
      await sql`update audit_log set outcome = 'failure' where id = ${target.id}`.execute(tx);
    });
    const broken = await cli(['audit:verify'], { DATABASE_URL: database.url });
    expect(broken.stdout).toContain(
      `Audit log BROKEN at row ${target.id}: its content no longer matches its hash`,
    );
    expect(broken.code).toBe(1);
  });

  it('keys:rotate re-encrypts under the new key; keys:status reports it', async () => {
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const old = keyringFromKeys(oldKey, []);
    await putSecret(database.db, old, {
      ownerType: 'account',
      ownerId: 'weibo-1',
      name: 'access_token',
      value: 'wb-token',
    });
    const env = {
      DATABASE_URL: database.url,
      APP_ENCRYPTION_KEY: newKey,
      APP_ENCRYPTION_KEYS_PREVIOUS: oldKey,
    };
    const before = await cli(['keys:status'], env);
    expect(before.stdout).toMatch(
      new RegExp(`${old.current.id}\\s+1 value\\(s\\)  \\(previous key: run keys:rotate\\)`),
    );
    const r = await cli(['keys:rotate'], env);
    expect(r.code).toBe(0);
    const current = keyringFromKeys(newKey, []);
    expect(r.stdout).toContain(
      `Re-encrypted 1 secret(s) and 0 TOTP secret(s) under key ${current.current.id}`,
    );
    expect(
      await readSecret(database.db, current, {
        ownerType: 'account',
        ownerId: 'weibo-1',
        name: 'access_token',
      }),
    ).toBe('wb-token');
    expect((await cli(['keys:status'], env)).stdout).toMatch(/1 value\(s\) {2}\(current key\)/);
    expect(r.stdout + r.stderr).not.toContain(newKey);
  });
});
