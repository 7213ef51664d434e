import { createHash } from 'node:crypto';
import { type RawBuilder, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, silentLogger, tempDir, testConfig } from '../../tests/helpers/services.js';
import { type DatabaseHandle, openDatabase } from '../db/connect.js';
import type { Db, DbOrTx } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { type AuditEntry, listAudit, recordAudit } from './audit.repository.js';
import { purgeAudit, verifyAuditChain } from './audit-chain.js';

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);

const entry = (i: number): AuditEntry => ({
  action: i % 2 ? 'auth.login' : 'user.updated',
  actorKind: 'system',
  targetType: 'user',
  targetId: `u${i}`,
  ip: i % 3 ? '10.0.0.1' : '2001:db8::1',
  outcome: i % 4 ? 'success' : 'failure',
  details: { i, nested: { zh: '审计', list: [1, 2] } },
});

/** A fixed first row and the canonical text its hash must be the SHA-256 of (see the migration). */
const FIXED_AT = new Date('2020-02-29T01:02:03.456Z');
const FIXED: AuditEntry = {
  action: 'auth.login',
  actorKind: 'anonymous',
  actorRole: 'auditor',
  targetType: 'user',
  targetId: 'u1',
  ip: '10.0.0.0/8',
  requestId: 'req-1',
  outcome: 'denied',
  details: { list: [1, 2], zh: '审计', a: null },
  occurredAt: FIXED_AT,
};
const FIXED_CANONICAL = `[null, ${FIXED_AT.getTime() * 1000}, "anonymous", null, "auditor", "auth.login", "user", "u1", null, "10.0.0.0/8", "req-1", "denied", {"a": null, "zh": "审计", "list": [1, 2]}]`;
const FIXED_HASH = createHash('sha256').update(FIXED_CANONICAL, 'utf8').digest('hex');

async function chain(db: DbOrTx) {
  return db.selectFrom('audit_log').select(['id', 'prev_hash', 'hash']).orderBy('id').execute();
}

async function ids(db: Db): Promise<string[]> {
  return (await chain(db)).map((r) => String(r.id));
}

/** Runs SQL with user triggers off, as a superuser tampering with the table would. */
async function tamper(db: Db, statement: RawBuilder<unknown>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await sql`set local session_replication_role = replica`.execute(tx);
    await statement.execute(tx);
  });
}

/** A DELETE with the retention setting, in a transaction; returns the rows deleted. */
async function retentionDelete(db: Db, setting: string, id: string): Promise<number> {
  return db.transaction().execute(async (tx) => {
    await sql`select set_config('yunying.audit_retention_days', ${setting}, true)`.execute(tx);
    const r = await sql`delete from audit_log where id = ${id}`.execute(tx);
    return Number(r.numAffectedRows);
  });
}

type TestDb = Awaited<ReturnType<typeof createMigratedDatabase>>;

/** A fresh migrated database for one test. */
async function withFreshDb(work: (db: Db) => Promise<void>): Promise<void> {
  const d: TestDb = await createMigratedDatabase();
  try {
    await work(d.db);
  } finally {
    await d.drop();
  }
}

describe('audit chain on PostgreSQL', () => {
  it('hashes the canonical text, whatever the session time zone and date style', () =>
    withFreshDb(async (db) => {
      await db.transaction().execute(async (tx) => {
        await sql`set local timezone = 'Pacific/Kiritimati'`.execute(tx);
        await sql`set local datestyle = 'SQL, DMY'`.execute(tx);
        await recordAudit(tx, FIXED);
        expect(await verifyAuditChain(tx)).toEqual({ ok: true, checked: 1 });
      });
      expect(await chain(db)).toEqual([{ id: expect.anything(), prev_hash: null, hash: FIXED_HASH }]);
    }));

  it('chains every row to the one before, including rows of one multi-row insert', () =>
    withFreshDb(async (db) => {
      for (let i = 0; i < 4; i++) await recordAudit(db, entry(i));
      await db
        .insertInto('audit_log')
        .values([1, 2, 3].map((i) => ({ actor_kind: 'system' as const, action: `bulk.${i}`, hash: '' })))
        .execute();
      const rows = await chain(db);
      expect(rows).toHaveLength(7);
      expect(rows[0]?.prev_hash).toBeNull();
      for (let i = 1; i < rows.length; i++) expect(rows[i]?.prev_hash).toBe(rows[i - 1]?.hash);
      expect(new Set(rows.map((r) => r.hash)).size).toBe(7);
      expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.hash))).toBe(true);
      const progress: number[] = [];
      expect(await verifyAuditChain(db, { batchSize: 3, onProgress: (n) => progress.push(n) })).toEqual({
        ok: true,
        checked: 7,
      });
      expect(progress).toEqual([3, 6, 7]);
    }));

  it('keeps one chain when 50 writers insert at once through a pool', () =>
    withFreshDb(async (db) => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => recordAudit(db, entry(i))));
      const rows = await chain(db);
      expect(rows).toHaveLength(50);
      expect(rows[0]?.prev_hash).toBeNull();
      for (let i = 1; i < rows.length; i++) expect(rows[i]?.prev_hash).toBe(rows[i - 1]?.hash);
      expect(await verifyAuditChain(db, { batchSize: 7 })).toEqual({ ok: true, checked: 50 });
    }));

  it('refuses a writer whose snapshot could miss the latest row (REPEATABLE READ)', () =>
    withFreshDb(async (db) => {
      await recordAudit(db, entry(0));
      await expect(
        db
          .transaction()
          .setIsolationLevel('repeatable read')
          .execute((tx) => recordAudit(tx, entry(1))),
      ).rejects.toThrow(/READ COMMITTED/);
      expect(await ids(db)).toHaveLength(1);
    }));
});

describe('append-only audit_log', () => {
  let d: TestDb;
  let oldId: string;
  let youngId: string;
  beforeAll(async () => {
    d = await createMigratedDatabase();
    await recordAudit(d.db, { ...entry(0), occurredAt: daysAgo(200) });
    await recordAudit(d.db, { ...entry(1), occurredAt: daysAgo(179) });
    [oldId, youngId] = (await ids(d.db)) as [string, string];
  });
  afterAll(async () => {
    await d?.drop();
  });

  it('refuses UPDATE, TRUNCATE and a DELETE without the retention setting', async () => {
    await expect(sql`update audit_log set details = '{}'`.execute(d.db)).rejects.toThrow(
      /append-only \(UPDATE refused\)/,
    );
    await expect(sql`truncate audit_log`.execute(d.db)).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
    await expect(sql`delete from audit_log where id = ${oldId}`.execute(d.db)).rejects.toThrow(
      /append-only \(DELETE refused\)/,
    );
    expect(await ids(d.db)).toEqual([oldId, youngId]);
  });

  it('with the retention setting, deletes an old row only; refuses a recent row and a setting under 180', async () => {
    await expect(retentionDelete(d.db, '180', youngId)).rejects.toThrow(/append-only \(DELETE refused\)/);
    await expect(retentionDelete(d.db, '30', oldId)).rejects.toThrow(/append-only \(DELETE refused\)/);
    await expect(retentionDelete(d.db, '179', oldId)).rejects.toThrow(/append-only \(DELETE refused\)/);
    await expect(retentionDelete(d.db, 'forever', oldId)).rejects.toThrow();
    expect(await ids(d.db)).toEqual([oldId, youngId]);
    // The same DELETE with a valid setting passes (rolled back here to keep the row).
    const rollback = new Error('rollback');
    await expect(
      d.db.transaction().execute(async (tx) => {
        await sql`select set_config('yunying.audit_retention_days', '180', true)`.execute(tx);
        const r = await sql`delete from audit_log where id = ${oldId}`.execute(tx);
        expect(Number(r.numAffectedRows)).toBe(1);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    await expect(purgeAudit(d.db, 179)).rejects.toThrow(/at least 180/);
    await expect(purgeAudit(d.db, 180.5)).rejects.toThrow(/at least 180/);
    expect(await ids(d.db)).toEqual([oldId, youngId]);
  });
});

describe('purgeAudit', () => {
  it('removes the old rows at the start of the chain, records the purge, and the chain still verifies', () =>
    withFreshDb(async (db) => {
      for (let i = 0; i < 3; i++) await recordAudit(db, { ...entry(i), occurredAt: daysAgo(200 + i) });
      for (let i = 3; i < 5; i++) await recordAudit(db, entry(i));
      // An old row written after recent ones (an import): removing it would leave a hole, so it waits.
      await recordAudit(db, { ...entry(5), occurredAt: daysAgo(300) });
      await recordAudit(db, entry(6));
      const before = await chain(db);
      const kept = before[3];

      expect(await purgeAudit(db, 180)).toEqual({ deleted: 3, oldestKeptId: String(kept?.id) });
      const after = await db
        .selectFrom('audit_log')
        .select(['id', 'action', 'actor_kind', 'details'])
        .orderBy('id')
        .execute();
      expect(after.map((r) => String(r.id))).toEqual([
        ...before.slice(3).map((r) => String(r.id)),
        expect.any(String),
      ]);
      expect(after.at(-1)).toMatchObject({
        action: 'audit.purged',
        actor_kind: 'system',
        details: {
          deleted: 3,
          retentionDays: 180,
          oldestKeptId: String(kept?.id),
          anchorPrevHash: kept?.prev_hash,
        },
      });
      expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 5 });

      // It records that it ran even when nothing is old enough; the chain still verifies.
      expect(await purgeAudit(db, 180)).toEqual({ deleted: 0, oldestKeptId: String(kept?.id) });
      expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 6 });

      // Removing the anchor the purge recorded is detected.
      await tamper(db, sql`delete from audit_log where id = ${kept?.id}`);
      expect(await verifyAuditChain(db)).toMatchObject({
        ok: false,
        checked: 0,
        brokenAt: String(before[4]?.id),
        reason: 'bad_anchor',
      });
    }));

  it('when everything is old, starts the chain again from its own row', () =>
    withFreshDb(async (db) => {
      for (let i = 0; i < 3; i++) await recordAudit(db, { ...entry(i), occurredAt: daysAgo(400) });
      expect(await purgeAudit(db, 365)).toEqual({ deleted: 3, oldestKeptId: null });
      const rows = await chain(db);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.prev_hash).toBeNull();
      await recordAudit(db, entry(3));
      expect(await purgeAudit(db, 365)).toEqual({ deleted: 0, oldestKeptId: String(rows[0]?.id) });
      expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 3 });
    }));

  it('leaves a verifiable chain when a writer commits while the purge runs', () =>
    withFreshDb(async (db) => {
      for (let i = 0; i < 5; i++) await recordAudit(db, { ...entry(i), occurredAt: daysAgo(200) });
      // A writer has chained its row to the last old row but not committed when the purge starts.
      const writer = await db.startTransaction().execute();
      await recordAudit(writer, entry(10));
      const purge = purgeAudit(db, 180);
      await new Promise((r) => setTimeout(r, 300));
      await writer.commit().execute();
      expect(await purge).toMatchObject({ deleted: 5 });
      await Promise.all(Array.from({ length: 10 }, (_, i) => recordAudit(db, entry(20 + i))));
      expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 12 });
    }));
});

describe('verifyAuditChain after tampering', () => {
  it('names a row changed in the database as altered', () =>
    withFreshDb(async (db) => {
      for (let i = 0; i < 30; i++) await recordAudit(db, entry(i));
      const all = await ids(db);
      expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 30 });
      await tamper(db, sql`update audit_log set details = '{"i": 999}' where id = ${all[20]}`);
      expect(await verifyAuditChain(db, { batchSize: 8 })).toEqual({
        ok: false,
        checked: 20,
        brokenAt: all[20],
        reason: 'altered',
      });
    }));

  it('sees a changed network mask and a changed time as alterations', () =>
    withFreshDb(async (db) => {
      for (let i = 0; i < 3; i++) await recordAudit(db, { ...entry(i), ip: '10.0.0.0/8' });
      const all = await ids(db);
      await tamper(db, sql`update audit_log set ip = '10.0.0.0/16' where id = ${all[2]}`);
      expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: all[2], reason: 'altered' });
      await tamper(
        db,
        sql`update audit_log set occurred_at = occurred_at + interval '1 microsecond' where id = ${all[1]}`,
      );
      expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: all[1], reason: 'altered' });
    }));

  it('names the row after one removed from the middle, and the first row once the start is removed', () =>
    withFreshDb(async (db) => {
      for (let i = 0; i < 5; i++) await recordAudit(db, entry(i));
      const all = await ids(db);
      await tamper(db, sql`delete from audit_log where id = ${all[2]}`);
      expect(await verifyAuditChain(db)).toEqual({
        ok: false,
        checked: 2,
        brokenAt: all[3],
        reason: 'missing_previous',
      });
      await tamper(db, sql`delete from audit_log where id = ${all[0]}`);
      expect(await verifyAuditChain(db)).toEqual({
        ok: false,
        checked: 0,
        brokenAt: all[1],
        reason: 'bad_anchor',
      });
    }));
});

describe('listAudit', () => {
  let d: TestDb;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    d = await createMigratedDatabase();
    const users = await d.db
      .insertInto('users')
      .values([
        { username: 'alice', display_name: '爱丽丝', role: 'editor' },
        { username: 'bob', display_name: '鲍勃', role: 'auditor' },
      ])
      .returning(['id', 'username'])
      .execute();
    alice = users.find((u) => u.username === 'alice')?.id as string;
    bob = users.find((u) => u.username === 'bob')?.id as string;
    const rows: AuditEntry[] = [
      {
        action: 'auth.login',
        actorKind: 'user',
        actorUserId: alice,
        actorRole: 'editor',
        occurredAt: daysAgo(10),
      },
      {
        action: 'auth.login',
        actorKind: 'anonymous',
        outcome: 'failure',
        ip: '10.1.2.3',
        occurredAt: daysAgo(9),
      },
      { action: 'auth.logout', actorKind: 'user', actorUserId: alice, occurredAt: daysAgo(8) },
      { action: 'authz.checked', actorKind: 'user', actorUserId: bob, occurredAt: daysAgo(7) },
      { action: 'user_admin.created', actorKind: 'user', actorUserId: bob, occurredAt: daysAgo(6) },
      { action: 'userXadmin.created', actorKind: 'user', actorUserId: bob, occurredAt: daysAgo(5) },
      {
        action: 'user.updated',
        actorKind: 'user',
        actorUserId: bob,
        outcome: 'denied',
        targetType: 'user',
        targetId: alice,
        requestId: 'req-9',
        details: { field: 'role' },
        occurredAt: daysAgo(4),
      },
      { action: 'auth.login', actorKind: 'user', actorUserId: bob, occurredAt: daysAgo(3) },
    ];
    for (const r of rows) await recordAudit(d.db, r);
  });
  afterAll(async () => {
    await d?.drop();
  });

  const actions = async (q: Parameters<typeof listAudit>[1]) =>
    (await listAudit(d.db, q)).items.map((r) => r.action);

  it('filters by exact action and by prefix, with LIKE characters taken literally', async () => {
    expect(await actions({ action: 'auth.*', limit: 50 })).toEqual([
      'auth.login',
      'auth.logout',
      'auth.login',
      'auth.login',
    ]);
    expect(await actions({ action: 'auth.login', limit: 50 })).toHaveLength(3);
    expect(await actions({ action: 'user_admin.*', limit: 50 })).toEqual(['user_admin.created']);
    expect(await actions({ action: 'auth', limit: 50 })).toEqual([]);
  });

  it('filters by actor, outcome, target and time range, and maps rows to records', async () => {
    expect(await actions({ actorUserId: alice, limit: 50 })).toEqual(['auth.logout', 'auth.login']);
    expect(await actions({ outcome: 'failure', limit: 50 })).toEqual(['auth.login']);
    expect(await actions({ from: daysAgo(7.5), to: daysAgo(4.5), limit: 50 })).toEqual([
      'userXadmin.created',
      'user_admin.created',
      'authz.checked',
    ]);
    const [denied] = (await listAudit(d.db, { targetType: 'user', targetId: alice, limit: 5 })).items;
    expect(denied).toMatchObject({
      action: 'user.updated',
      actorKind: 'user',
      actorUserId: bob,
      actorUsername: 'bob',
      outcome: 'denied',
      requestId: 'req-9',
      details: { field: 'role' },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(denied?.occurredAt).toBeInstanceOf(Date);
    const [first] = (await listAudit(d.db, { actorUserId: alice, action: 'auth.login', limit: 1 })).items;
    expect(first).toMatchObject({ actorUsername: 'alice', actorRole: 'editor' });
    const [anonymous] = (await listAudit(d.db, { outcome: 'failure', limit: 1 })).items;
    expect(anonymous).toMatchObject({ actorUserId: null, actorUsername: null, ip: '10.1.2.3' });
  });

  it('pages newest first with a cursor, every row once', async () => {
    const seen: string[] = [];
    let before: string | undefined;
    let pages = 0;
    do {
      const page = await listAudit(d.db, { limit: 3, ...(before ? { before } : {}) });
      seen.push(...page.items.map((r) => r.id));
      before = page.nextCursor ?? undefined;
      pages++;
    } while (before);
    const all = (await d.db.selectFrom('audit_log').select('id').orderBy('id', 'desc').execute()).map((r) =>
      String(r.id),
    );
    expect(seen).toEqual(all);
    expect(pages).toBe(3);
    expect((await listAudit(d.db, { limit: 8 })).nextCursor).toBeNull();
  });

  it('refuses a page size outside 1..500 and a cursor that is not an id', async () => {
    await expect(listAudit(d.db, { limit: 0 })).rejects.toThrow(/1\.\.500/);
    await expect(listAudit(d.db, { limit: 501 })).rejects.toThrow(/1\.\.500/);
    await expect(listAudit(d.db, { limit: 5, before: '1 or 1=1' })).rejects.toThrow(/cursor/);
  });
});

describe('audit chain on the embedded database (PGlite)', () => {
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

  it('computes the same digest as PostgreSQL and chains concurrent writers', async () => {
    await recordAudit(handle.db, FIXED);
    await Promise.all(Array.from({ length: 20 }, (_, i) => recordAudit(handle.db, entry(i))));
    const rows = await chain(handle.db);
    expect(rows[0]).toMatchObject({ prev_hash: null, hash: FIXED_HASH });
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prev_hash).toBe(rows[i - 1]?.hash);
    expect(await verifyAuditChain(handle.db)).toEqual({ ok: true, checked: 21 });
  });

  it('refuses changes, purges, and detects an altered row', async () => {
    await expect(sql`update audit_log set details = '{}'`.execute(handle.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(handle.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(handle.db)).rejects.toThrow(/append-only/);
    expect(await purgeAudit(handle.db, 180)).toMatchObject({ deleted: 1 }); // FIXED is from 2020
    expect(await verifyAuditChain(handle.db)).toEqual({ ok: true, checked: 21 });
    const target = (await chain(handle.db))[5];
    await tamper(handle.db, sql`update audit_log set outcome = 'denied' where id = ${target?.id}`);
    expect(await verifyAuditChain(handle.db)).toMatchObject({
      ok: false,
      brokenAt: String(target?.id),
      reason: 'altered',
    });
  });
});
