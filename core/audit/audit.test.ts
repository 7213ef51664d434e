import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, silentLogger, tempDir, testConfig } from '../../tests/helpers/services.js';
import { type DatabaseHandle, openDatabase } from '../db/connect.js';
import type { Db } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { listAudit, recordAudit } from './audit.repository.js';
import { purgeAudit, verifyAuditChain } from './audit-chain.js';

const entry = (i: number) => ({
  action: i % 2 ? 'auth.login' : 'user.updated',
  actorKind: 'system' as const,
  targetType: 'user',
  targetId: `u${i}`,
  ip: i % 3 ? '10.0.0.1' : '2001:db8::1',
  outcome: (i % 4 ? 'success' : 'failure') as 'success' | 'failure',
  details: { i, nested: { zh: '审计', list: [1, 2] } },
});

/** Runs SQL with user triggers off, as a superuser tampering with the table would. */
async function tamper(db: Db, statement: ReturnType<typeof sql>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await sql`set local session_replication_role = replica`.execute(tx);
    await statement.execute(tx);
  });
}

describe('audit log on PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  beforeAll(async () => {
    database = await createMigratedDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('chains rows written concurrently through a pool without forks', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => recordAudit(database.db, entry(i))));
    const rows = await database.db
      .selectFrom('audit_log')
      .select(['id', 'prev_hash', 'hash'])
      .orderBy('id')
      .execute();
    expect(rows).toHaveLength(50);
    expect(rows[0]?.prev_hash).toBeNull();
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prev_hash).toBe(rows[i - 1]?.hash);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(50);
    expect(await verifyAuditChain(database.db, { batchSize: 7 })).toEqual({ ok: true, checked: 50 });
  });

  it('refuses UPDATE, TRUNCATE, DELETE of recent rows, and a retention under 180 days', async () => {
    await expect(sql`update audit_log set details = '{}'`.execute(database.db)).rejects.toThrow(
      /append-only \(UPDATE refused\)/,
    );
    await expect(sql`truncate audit_log`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(database.db)).rejects.toThrow(
      /append-only \(DELETE refused\)/,
    );
    await expect(
      database.db.transaction().execute(async (tx) => {
        await sql`select set_config('yunying.audit_retention_days', '180', true)`.execute(tx);
        await sql`delete from audit_log`.execute(tx);
      }),
    ).rejects.toThrow(/append-only/);
    await expect(
      database.db.transaction().execute(async (tx) => {
        await sql`select set_config('yunying.audit_retention_days', '30', true)`.execute(tx);
        await sql`delete from audit_log`.execute(tx);
      }),
    ).rejects.toThrow(/append-only/);
    await expect(purgeAudit(database.db, 30)).rejects.toThrow(/at least 180/);
  });

  it('lists newest first with filters and cursor paging', async () => {
    const first = await listAudit(database.db, { action: 'auth.*', limit: 10 });
    expect(first.items).toHaveLength(10);
    expect(first.items.every((r) => r.action === 'auth.login')).toBe(true);
    const second = await listAudit(database.db, {
      action: 'auth.*',
      limit: 10,
      before: first.nextCursor as string,
    });
    expect(Number(second.items[0]?.id)).toBeLessThan(Number(first.items[9]?.id));
    const failures = await listAudit(database.db, { outcome: 'failure', limit: 500 });
    expect(failures.items.length).toBe(13);
    expect((await listAudit(database.db, { from: new Date(Date.now() + 60_000), limit: 5 })).items).toEqual(
      [],
    );
    expect(first.items[0]?.details).toMatchObject({ nested: { zh: '审计' } });
  });

  it('purges only rows past retention, records the purge, and the chain still verifies', async () => {
    const old = new Date(Date.now() - 200 * 86_400_000);
    const db2 = await createMigratedDatabase();
    try {
      for (let i = 0; i < 3; i++) await recordAudit(db2.db, { ...entry(i), occurredAt: old });
      for (let i = 0; i < 4; i++) await recordAudit(db2.db, entry(i));
      const r = await purgeAudit(db2.db, 180);
      expect(r.deleted).toBe(3);
      const left = await db2.db
        .selectFrom('audit_log')
        .select(['action', 'occurred_at'])
        .orderBy('id')
        .execute();
      expect(left).toHaveLength(5);
      expect(left.at(-1)?.action).toBe('audit.purged');
      expect(await verifyAuditChain(db2.db)).toEqual({ ok: true, checked: 5 });
      expect((await purgeAudit(db2.db, 180)).deleted).toBe(0);
      expect(await verifyAuditChain(db2.db)).toEqual({ ok: true, checked: 6 });
    } finally {
      await db2.drop();
    }
  });

  it('detects a row altered in the database, and a row removed from the middle', async () => {
    const row = await database.db
      .selectFrom('audit_log')
      .select('id')
      .orderBy('id')
      .offset(20)
      .limit(1)
      .executeTakeFirstOrThrow();
    await tamper(database.db, sql`update audit_log set details = '{"i": 999}' where id = ${row.id}`);
    expect(await verifyAuditChain(database.db)).toEqual({
      ok: false,
      checked: 20,
      brokenAt: String(row.id),
      reason: 'altered',
    });

    const db2 = await createMigratedDatabase();
    try {
      for (let i = 0; i < 5; i++) await recordAudit(db2.db, entry(i));
      const ids = (await db2.db.selectFrom('audit_log').select('id').orderBy('id').execute()).map((r) =>
        String(r.id),
      );
      await tamper(db2.db, sql`delete from audit_log where id = ${ids[2]}`);
      expect(await verifyAuditChain(db2.db)).toMatchObject({
        ok: false,
        brokenAt: ids[3],
        reason: 'missing_previous',
      });
      await tamper(db2.db, sql`delete from audit_log where id = ${ids[0]}`);
      expect(await verifyAuditChain(db2.db)).toMatchObject({
        ok: false,
        brokenAt: ids[1],
        reason: 'bad_anchor',
      });
    } finally {
      await db2.drop();
    }
  });
});

describe('audit log on the embedded database (PGlite)', () => {
  let handle: DatabaseHandle;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
    handle = await openDatabase(testConfig({ DATA_DIR: dir.dir, DATABASE_URL: undefined }), silentLogger);
    await migrateToLatest(handle.db);
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
    await dir?.remove();
  });

  it('builds the same chain from concurrent writers and refuses changes', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => recordAudit(handle.db, entry(i))));
    expect(await verifyAuditChain(handle.db)).toEqual({ ok: true, checked: 20 });
    await expect(sql`delete from audit_log`.execute(handle.db)).rejects.toThrow(/append-only/);
  });
});
