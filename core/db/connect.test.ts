import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  silentLogger,
  type TestDatabase,
  tempDir,
  testConfig,
} from '../../tests/helpers/services.js';
import { StartupError } from '../errors.js';
import { type DatabaseHandle, embeddedLockHolder, openDatabase } from './connect.js';
import { migrateToLatest } from './migrate.js';

const ROWS = 10;
const START_BALANCE = 1000;
const TRANSFERS = 50;

/**
 * 50 concurrent read-modify-write transfers between 10 rows. Each transaction records when it starts
 * and ends; on PGlite they must never overlap (one connection, serialised), and on both databases the
 * total must be unchanged and no transfer lost.
 */
async function concurrentTransfers(
  db: Kysely<any>,
): Promise<{ total: number; overlaps: number; transfers: number }> {
  await sql`create table transfer_accounts (id int primary key, balance int not null check (balance >= 0))`.execute(
    db,
  );
  await sql`create table transfer_log (id serial primary key, amount int not null)`.execute(db);
  for (let i = 0; i < ROWS; i++) {
    await sql`insert into transfer_accounts values (${i}, ${START_BALANCE})`.execute(db);
  }
  let open = 0;
  let overlaps = 0;
  await Promise.all(
    Array.from({ length: TRANSFERS }, (_, n) =>
      db.transaction().execute(async (tx) => {
        open += 1;
        if (open > 1) overlaps += 1;
        const from = n % ROWS;
        const to = (n * 7 + 3) % ROWS;
        const amount = 1 + (n % 13);
        const [a, b] = from < to ? [from, to] : [to, from];
        // Lock both rows in a fixed order so real Postgres cannot deadlock.
        const locked = await sql<{ id: number; balance: number }>`
          select id, balance from transfer_accounts where id in (${a}, ${b}) order by id for update`.execute(
          tx,
        );
        const balance = (id: number) => locked.rows.find((r) => r.id === id)?.balance ?? 0;
        await new Promise((r) => setTimeout(r, n % 3)); // let others try to get in between
        const fromBalance = balance(from);
        const toBalance = from === to ? fromBalance : balance(to);
        await sql`update transfer_accounts set balance = ${fromBalance - amount} where id = ${from}`.execute(
          tx,
        );
        await sql`update transfer_accounts set balance = ${(from === to ? fromBalance - amount : toBalance) + amount} where id = ${to}`.execute(
          tx,
        );
        await sql`insert into transfer_log (amount) values (${amount})`.execute(tx);
        open -= 1;
      }),
    ),
  );
  const total = await sql<{
    total: string;
  }>`select sum(balance)::text as total from transfer_accounts`.execute(db);
  const logged = await sql<{ n: string }>`select count(*)::text as n from transfer_log`.execute(db);
  return { total: Number(total.rows[0]?.total), overlaps, transfers: Number(logged.rows[0]?.n) };
}

describe('embedded database (PGlite)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let handle: DatabaseHandle;
  beforeAll(async () => {
    dir = await tempDir();
    handle = await openDatabase(testConfig({ DATA_DIR: dir.dir }), silentLogger);
  });
  afterAll(async () => {
    await handle?.close();
    await dir.remove();
  });

  it('opens under DATA_DIR and applies the migrations', async () => {
    expect(handle.kind).toBe('embedded');
    expect(handle.location).toBe(path.join(dir.dir, 'pglite'));
    const { done } = await migrateToLatest(handle.db);
    expect(done.length).toBeGreaterThan(0);
    const r = await sql<{ n: string }>`select count(*)::text as n from users`.execute(handle.db);
    expect(r.rows[0]?.n).toBe('0');
  });

  it('never interleaves concurrent transactions', async () => {
    const result = await concurrentTransfers(handle.db);
    expect(result).toEqual({ total: ROWS * START_BALANCE, overlaps: 0, transfers: TRANSFERS });
  });

  it('rolls back a failed transaction without disturbing the others', async () => {
    const outcomes = await Promise.allSettled([
      handle.db.transaction().execute(async (tx) => {
        await sql`update transfer_accounts set balance = balance - 5 where id = 0`.execute(tx);
        await sql`update transfer_accounts set balance = balance + 5 where id = 1`.execute(tx);
      }),
      handle.db.transaction().execute(async (tx) => {
        await sql`update transfer_accounts set balance = balance - 999999 where id = 2`.execute(tx);
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    const total = await sql<{
      total: string;
    }>`select sum(balance)::text as total from transfer_accounts`.execute(handle.db);
    expect(Number(total.rows[0]?.total)).toBe(ROWS * START_BALANCE);
  });

  it('refuses a data directory that another live process holds', async () => {
    const other = await tempDir();
    const sleeper = spawn('sleep', ['30']);
    try {
      await writeFile(path.join(other.dir, 'pglite.lock'), String(sleeper.pid));
      expect(await embeddedLockHolder(other.dir)).toEqual({ pid: sleeper.pid });
      const err = await openDatabase(testConfig({ DATA_DIR: other.dir }), silentLogger).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StartupError);
      expect((err as StartupError).message).toMatch(
        `already in use by another Yunying process (pid ${sleeper.pid})`,
      );
    } finally {
      sleeper.kill();
      await other.remove();
    }
  });

  it('replaces a stale lock left by a dead process', async () => {
    const other = await tempDir();
    try {
      await writeFile(path.join(other.dir, 'pglite.lock'), '999999999');
      const h = await openDatabase(testConfig({ DATA_DIR: other.dir }), silentLogger);
      await h.close();
    } finally {
      await other.remove();
    }
  });
});

describe('PostgreSQL', () => {
  let test: TestDatabase;
  let handle: DatabaseHandle;
  beforeAll(async () => {
    test = await createTestDatabase();
    handle = await openDatabase(testConfig({ DATABASE_URL: test.url }), silentLogger);
  });
  afterAll(async () => {
    await handle?.close();
    await test.drop();
  });

  it('keeps the total under 50 concurrent transfers', async () => {
    expect(handle.kind).toBe('postgres');
    const result = await concurrentTransfers(handle.db);
    expect(result.total).toBe(ROWS * START_BALANCE);
    expect(result.transfers).toBe(TRANSFERS);
    // Real Postgres runs them side by side: this shows the overlap detector used above does detect.
    expect(result.overlaps).toBeGreaterThan(0);
  });

  it('reports an unreachable server with the address and a hint, without the password', async () => {
    const err = await openDatabase(
      testConfig({ DATABASE_URL: 'postgres://app:pw-secret@127.0.0.1:1/none' }),
      silentLogger,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).message).toMatch(
      /^Cannot connect to the database at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/none: /,
    );
    expect((err as StartupError).message).not.toContain('pw-secret');
    expect((err as StartupError).hint).toMatch(/PostgreSQL is running/);
  });
});
