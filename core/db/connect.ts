import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { type Config, maskUrl } from '../config/config.js';
import { errorMessage, StartupError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isProcessAlive } from '../process.js';
import type { Database, Db } from './database.js';

/**
 * `date` columns are calendar days (Asia/Shanghai): read them as `YYYY-MM-DD` text, never as a JS
 * Date at the process's local midnight. Applies to every pg pool in the process.
 */
export function readDatesAsText(): void {
  pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
}
readDatesAsText();

export interface DatabaseHandle {
  db: Db;
  kind: 'postgres' | 'embedded';
  /** Where the data lives, safe to print (no password). */
  location: string;
  close(): Promise<void>;
}

/**
 * Opens Postgres at `config.database.url`, or the embedded PGlite database under DATA_DIR when no URL
 * is set. Throws a StartupError with a hint when the database cannot be reached.
 */
export async function openDatabase(config: Config, logger: Logger): Promise<DatabaseHandle> {
  return config.database.url
    ? openPostgres(config.database.url, config.database.poolMax, logger)
    : openEmbedded(path.join(config.dataDir, 'pglite'));
}

async function openPostgres(url: string, poolMax: number, logger: Logger): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolMax, connectionTimeoutMillis: 5000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (err) => logger.warn({ err: errorMessage(err) }, 'idle Postgres connection lost'));
  // A connection lost while checked out (a PostgreSQL restart mid-query) also emits 'error' on its
  // client: the query fails and is handled, but an unheard 'error' event would end the process.
  pool.on('connect', (client) =>
    client.on('error', (err) => logger.warn({ err: errorMessage(err) }, 'Postgres connection lost')),
  );
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw new StartupError(
      `Cannot connect to the database at ${maskUrl(url)}: ${errorMessage(err)}`,
      'Check that PostgreSQL is running and DATABASE_URL is right, or unset DATABASE_URL to use the embedded database.',
    );
  }
  return { db, kind: 'postgres', location: maskUrl(url), close: () => db.destroy() };
}

/**
 * PGlite is one connection inside this process; kysely-pglite-dialect hands it to one caller at a time,
 * so transactions are serialised and never interleave. Two processes must never open the same data
 * directory, so a lock file with our pid guards it.
 */
async function openEmbedded(dir: string): Promise<DatabaseHandle> {
  await mkdir(dir, { recursive: true });
  const lock = await acquireLock(`${dir}.lock`);
  let client: PGlite;
  try {
    client = await PGlite.create(dir, { parsers: { 1082: (v: string) => v } });
  } catch (err) {
    await lock.release();
    throw new StartupError(
      `Cannot open the embedded database in ${dir}: ${errorMessage(err)}`,
      'The folder may be damaged or from an incompatible version; move it aside or set DATA_DIR to another folder.',
    );
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  return {
    db,
    kind: 'embedded',
    location: dir,
    close: async () => {
      await db.destroy();
      await lock.release();
    },
  };
}

export interface EmbeddedLockHolder {
  pid: number;
}

/** Who holds the embedded database open, if anyone (used by doctor, which must not open it twice). */
export async function embeddedLockHolder(dataDir: string): Promise<EmbeddedLockHolder | null> {
  const pid = await readLockPid(`${path.join(dataDir, 'pglite')}.lock`);
  return pid !== null && pid !== process.pid && isProcessAlive(pid) ? { pid } : null;
}

async function readLockPid(file: string): Promise<number | null> {
  try {
    const pid = Number.parseInt(await readFile(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function acquireLock(file: string): Promise<{ release(): Promise<void> }> {
  const holder = await readLockPid(file);
  if (holder !== null && holder !== process.pid && isProcessAlive(holder)) {
    throw new StartupError(
      `The embedded database is already in use by another Yunying process (pid ${holder})`,
      'Stop that process first, or give this one its own DATA_DIR.',
    );
  }
  // A stale lock from a process that died is simply replaced.
  await writeFile(file, String(process.pid));
  return { release: () => rm(file, { force: true }) };
}
