import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely as K, type Kysely, type Migration, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationFailedError, migrateDown, migrateToLatest, pendingMigrations } from '../core/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../tests/helpers/services.js';
import { migrations } from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));

async function tables(db: Kysely<any>): Promise<string[]> {
  const r = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(
    db,
  );
  return r.rows.map((x) => x.table_name);
}

describe('migration files', () => {
  it('lists every file of the folder, date-prefixed, in order', async () => {
    const files = (await readdir(here))
      .filter((f) => /^\d{4}_\d{2}_\d{2}_\d{6}_[a-z0-9_]+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''));
    const others = (await readdir(here)).filter(
      (f) =>
        !f.endsWith('.test.ts') && f !== 'index.ts' && !/^\d{4}_\d{2}_\d{2}_\d{6}_[a-z0-9_]+\.ts$/.test(f),
    );
    expect(others, 'files in migrations/ must be named YYYY_MM_DD_HHMMSS_verb_noun.ts').toEqual([]);
    expect(Object.keys(migrations)).toEqual(files.sort());
    for (const m of Object.values(migrations)) expect(typeof m.down).toBe('function');
  });
});

describe('migrations on PostgreSQL', () => {
  let test: TestDatabase;
  let db: Kysely<any>;
  beforeAll(async () => {
    test = await createTestDatabase();
    db = new K<any>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: test.url, max: 2 }) }),
    });
  });
  afterAll(async () => {
    await db.destroy();
    await test.drop();
  });

  it('applies all, reverts each one, and applies all again', async () => {
    const names = Object.keys(migrations);
    expect(await pendingMigrations(db)).toEqual(names);
    expect((await migrateToLatest(db)).done).toEqual(names);
    expect(await tables(db)).toEqual(
      expect.arrayContaining(['audit_log', 'organisations', 'users', 'worker_heartbeats']),
    );
    expect((await migrateToLatest(db)).done).toEqual([]);
    for (const name of [...names].reverse()) expect((await migrateDown(db)).done).toEqual([name]);
    expect((await tables(db)).filter((t) => !t.startsWith('kysely_'))).toEqual([]);
    expect((await migrateToLatest(db)).done).toEqual(names);
  });

  it('keeps the audit log append-only', async () => {
    await db
      .insertInto('audit_log')
      .values({ actor_kind: 'system', action: 'test.event', hash: 'h1' })
      .execute();
    await expect(db.updateTable('audit_log').set({ action: 'changed' }).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/append-only/);
    const rows = await db.selectFrom('audit_log').select('action').execute();
    expect(rows).toEqual([{ action: 'test.event' }]);
  });

  it('allows at most one active superadmin and binds portal users to an organisation', async () => {
    await db
      .insertInto('users')
      .values({ username: 'root1', display_name: 'A', role: 'superadmin' })
      .execute();
    await expect(
      db.insertInto('users').values({ username: 'root2', display_name: 'B', role: 'superadmin' }).execute(),
    ).rejects.toThrow(/users_one_active_superadmin/);
    await db
      .insertInto('users')
      .values({ username: 'root3', display_name: 'C', role: 'superadmin', status: 'disabled' })
      .execute();
    await expect(
      db
        .insertInto('users')
        .values({ username: 'client1', display_name: 'D', role: 'client_viewer' })
        .execute(),
    ).rejects.toThrow(/users_portal_role_has_organisation/);
    await expect(
      db.insertInto('users').values({ username: 'ROOT1', display_name: 'E', role: 'editor' }).execute(),
    ).rejects.toThrow(/users_username_lower_key/);
  });

  it('rolls back a run that fails halfway and names the failing migration', async () => {
    const scratch = await createTestDatabase();
    const sdb = new K<any>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: scratch.url, max: 2 }) }),
    });
    try {
      const good: Migration = {
        up: async (d) => {
          await d.schema.createTable('first_table').addColumn('id', 'integer').execute();
        },
      };
      const bad: Migration = {
        up: async (d) => {
          await d.schema.createTable('second_table').addColumn('id', 'integer').execute();
          await sql`select * from no_such_table`.execute(d);
        },
      };
      const set = { '2000_01_01_000000_create_first': good, '2000_01_02_000000_break_things': bad };
      const err = await migrateToLatest(sdb, set).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationFailedError);
      const failure = err as MigrationFailedError;
      expect(failure.migration).toBe('2000_01_02_000000_break_things');
      expect(failure.message).toMatch(/Migration 2000_01_02_000000_break_things failed: .*no_such_table/);
      expect(failure.rolledBack).toEqual(['2000_01_01_000000_create_first']);
      // Nothing of the run is left: neither table, and both migrations are still pending.
      expect((await tables(sdb)).filter((t) => !t.startsWith('kysely_'))).toEqual([]);
      expect(await pendingMigrations(sdb, set)).toEqual(Object.keys(set));
    } finally {
      await sdb.destroy();
      await scratch.drop();
    }
  });
});
