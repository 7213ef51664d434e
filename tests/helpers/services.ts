import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type Config, loadConfig } from '../../core/config/config.js';
import { readDatesAsText } from '../../core/db/connect.js';
import type { Database } from '../../core/db/database.js';
import { migrateToLatest } from '../../core/db/migrate.js';
import { createLogger, type Logger } from '../../core/logger.js';
import { testServiceUrls } from './urls.js';

export const silentLogger: Logger = createLogger('silent');

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database on the real server; drop() removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { databaseUrl } = testServiceUrls();
  const name = uniqueName('yy_test');
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A migrated fresh database with a Kysely handle. */
export async function createMigratedDatabase(): Promise<TestDatabase & { db: Kysely<Database> }> {
  const test = await createTestDatabase();
  readDatesAsText();
  const pool = new pg.Pool({ connectionString: test.url, max: 5 });
  // As in production (core/db/connect.ts): an idle connection the server ends must not crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await migrateToLatest(db);
  return {
    ...test,
    db,
    drop: async () => {
      await db.destroy();
      await test.drop();
    },
  };
}

export async function tempDir(prefix = 'yunying-test-'): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Configuration for a test: real services, a unique Redis prefix, quiet logs, plus overrides. */
export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  const { redisUrl } = testServiceUrls();
  return loadConfig({
    REDIS_URL: redisUrl,
    REDIS_PREFIX: uniqueName('t').toLowerCase(),
    LOG_LEVEL: 'silent',
    PORT: '0',
    PATH: process.env.PATH,
    ...overrides,
  });
}

/** Removes every key a test created under its BullMQ prefix. */
export async function clearPrefix(redis: import('ioredis').Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Inserts an active WeChat subscription account (mass send) of an organisation; returns its id. */
export async function insertWechatAccount(
  db: Kysely<Database>,
  organisationId: string,
  name: string,
  externalId = `wx_${name}`,
): Promise<string> {
  const a = await db
    .insertInto('accounts')
    .values({
      organisation_id: organisationId,
      platform: 'wechat',
      name,
      external_id: externalId,
      wechat_kind: 'subscription',
      publish_mode: 'masssend',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return a.id;
}

/** Inserts an organisation under a random short name (slug); returns its id. */
export async function insertOrganisation(db: Kysely<Database>, name: string): Promise<string> {
  const r = await db
    .insertInto('organisations')
    .values({ slug: `org-${Math.random().toString(16).slice(2, 8)}`, name })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}
