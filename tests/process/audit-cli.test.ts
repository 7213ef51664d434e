import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordAudit } from '../../core/audit/audit.repository.js';
import type { Db } from '../../core/db/database.js';
import { createMigratedDatabase } from '../helpers/services.js';
import { spawnTs } from '../helpers/spawn.js';
import { testServiceUrls } from '../helpers/urls.js';

const DAY = 86_400_000;

async function cli(args: string[], env: Record<string, string>) {
  const s = spawnTs('bin/cli.ts', args, { REDIS_URL: testServiceUrls().redisUrl, ...env });
  const { code } = await s.exited;
  return { code, stdout: s.stdout(), stderr: s.stderr() };
}

async function ids(db: Db): Promise<string[]> {
  return (await db.selectFrom('audit_log').select('id').orderBy('id').execute()).map((r) => String(r.id));
}

/** As a superuser tampering with the table would: user triggers off for one statement. */
async function tamper(db: Db, statement: ReturnType<typeof sql>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await sql`set local session_replication_role = replica`.execute(tx);
    await statement.execute(tx);
  });
}

describe('npm run cli -- audit:verify / audit:purge', () => {
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let env: Record<string, string>;
  beforeEach(async () => {
    database = await createMigratedDatabase();
    env = { DATABASE_URL: database.url };
  });
  afterEach(async () => {
    await database?.drop();
  });

  it('audit:verify exits 0 on an intact log and 1 naming the row changed in the database', async () => {
    for (let i = 0; i < 10; i++)
      await recordAudit(database.db, { action: 'auth.login', actorKind: 'anonymous', details: { i } });
    const ok = await cli(['audit:verify'], env);
    expect(ok.stdout.trim()).toBe('Audit log intact: 10 rows checked.');
    expect(ok.stderr).not.toContain('checked');
    expect(ok.code).toBe(0);

    const target = (await ids(database.db))[6];
    await tamper(database.db, sql`update audit_log set outcome = 'failure' where id = ${target}`);
    const broken = await cli(['audit:verify'], env);
    expect(broken.stdout.trim()).toBe(
      `Audit log BROKEN at row ${target}: its content no longer matches its hash (the row was changed). The 6 rows before it are intact.`,
    );
    expect(broken.code).toBe(1);
  });

  it('audit:verify names the row after one deleted from the middle', async () => {
    for (let i = 0; i < 5; i++)
      await recordAudit(database.db, { action: 'user.updated', actorKind: 'system' });
    const all = await ids(database.db);
    await tamper(database.db, sql`delete from audit_log where id = ${all[2]}`);
    const r = await cli(['audit:verify'], env);
    expect(r.stdout).toContain(`Audit log BROKEN at row ${all[3]}: it does not follow the row before it`);
    expect(r.code).toBe(1);
  });

  it('audit:purge removes rows past AUDIT_RETENTION_DAYS and the log still verifies', async () => {
    const at = (days: number) => new Date(Date.now() - days * DAY);
    await recordAudit(database.db, { action: 'auth.login', actorKind: 'system', occurredAt: at(250) });
    await recordAudit(database.db, { action: 'auth.login', actorKind: 'system', occurredAt: at(190) });
    await recordAudit(database.db, { action: 'auth.login', actorKind: 'system' });
    const purge = await cli(['audit:purge'], { ...env, AUDIT_RETENTION_DAYS: '200' });
    expect(purge.stdout.trim()).toBe('Purged 1 audit row(s) older than 200 days.');
    expect(purge.code).toBe(0);
    const verify = await cli(['audit:verify'], env);
    expect(verify.stdout.trim()).toBe('Audit log intact: 3 rows checked.');
    expect(verify.code).toBe(0);
  });
});
