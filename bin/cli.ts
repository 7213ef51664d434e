import { Command } from 'commander';
import { type Kysely, sql } from 'kysely';
import { type Config, ConfigError, describeConfig, loadConfig } from '../core/config/config.js';
import { embeddedLockHolder, openDatabase } from '../core/db/connect.js';
import { migrateDown, migrateToLatest, pendingMigrations } from '../core/db/migrate.js';
import { AppError, errorMessage, StartupError } from '../core/errors.js';
import { checkReadiness } from '../core/health/readiness.js';
import { createLogger } from '../core/logger.js';
import { findExecutable } from '../core/process.js';
import { LOCAL_REDIS_URL, probe } from '../core/redis/redis.js';
import { CHROMIUM_INSTALL_HINT, chromiumVersion, findChromium } from '../integrations/pdf/chromium.js';
import { registerAuditCommands } from './commands/audit.commands.js';
import { registerKeysCommands } from './commands/keys.commands.js';
import { registerMetricsCommands } from './commands/metrics.commands.js';
import { registerUserCommands } from './commands/users.commands.js';

/** `npm run cli -- <command>`: operator commands. Each prints a clear result and exits non-zero on failure. */

const out = (line: string) => process.stdout.write(`${line}\n`);

function config(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stderr.write(`yunying: ${p}\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function withDatabase<T>(work: (db: Kysely<any>) => Promise<T>): Promise<T> {
  const cfg = config();
  const handle = await openDatabase(cfg, createLogger('warn'));
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

async function migrate(direction: string): Promise<void> {
  if (direction !== 'up' && direction !== 'down')
    throw new StartupError(`unknown direction "${direction}"`, 'Use `migrate` or `migrate down`.');
  await withDatabase(async (db) => {
    const { done } = direction === 'up' ? await migrateToLatest(db) : await migrateDown(db);
    if (direction === 'up')
      out(done.length ? done.map((n) => `applied  ${n}`).join('\n') : 'Database is up to date.');
    else out(done.length ? done.map((n) => `reverted ${n}`).join('\n') : 'Nothing to revert.');
  });
}

type Outcome = { ok: boolean; line: string; hint?: string };

async function checkDatabase(cfg: Config): Promise<Outcome> {
  if (!cfg.database.url) {
    const holder = await embeddedLockHolder(cfg.dataDir);
    if (holder)
      return {
        ok: true,
        line: `embedded database in ${cfg.dataDir} (in use by the running service, pid ${holder.pid})`,
      };
  }
  try {
    const handle = await openDatabase(cfg, createLogger('silent'));
    try {
      const version = await sql<{ server_version: string }>`show server_version`.execute(handle.db);
      const pending = await pendingMigrations(handle.db);
      const line = `${handle.kind === 'embedded' ? 'embedded PGlite' : 'PostgreSQL'} ${version.rows[0]?.server_version ?? '?'} at ${handle.location}`;
      if (pending.length === 0) return { ok: true, line: `${line}, migrations up to date` };
      return {
        ok: cfg.database.autoMigrate,
        line: `${line}, ${pending.length} pending migration(s)`,
        hint: 'Run `npm run migrate`.',
      };
    } finally {
      await handle.close();
    }
  } catch (err) {
    return {
      ok: false,
      line: `database: ${errorMessage(err)}`,
      hint: err instanceof StartupError ? err.hint : 'Check DATABASE_URL.',
    };
  }
}

async function checkRedis(cfg: Config): Promise<Outcome> {
  const url = cfg.redis.url ?? LOCAL_REDIS_URL;
  const problem = await probe(url);
  if (!problem) return { ok: true, line: `Redis answers at ${cfg.redis.url ? 'REDIS_URL' : url}` };
  if (cfg.redis.url)
    return {
      ok: false,
      line: `Redis at REDIS_URL: ${problem}`,
      hint: 'Check that Redis runs and REDIS_URL is right.',
    };
  const binary = await findExecutable('redis-server', cfg.systemPath);
  if (binary)
    return { ok: true, line: `no Redis at ${url}; the service will start a private one (${binary})` };
  return {
    ok: false,
    line: `no Redis at ${url} and no redis-server installed`,
    hint: 'sudo apt-get install redis-server, or set REDIS_URL.',
  };
}

async function checkChromium(cfg: Config): Promise<Outcome> {
  const binary = await findChromium(cfg.chromiumPath, cfg.systemPath);
  if (!binary)
    return { ok: false, line: 'no Chromium found (needed for PDF reports)', hint: CHROMIUM_INSTALL_HINT };
  try {
    return { ok: true, line: `${await chromiumVersion(binary)} (${binary})` };
  } catch (err) {
    return {
      ok: false,
      line: `Chromium at ${binary} does not start: ${errorMessage(err)}`,
      hint: CHROMIUM_INSTALL_HINT,
    };
  }
}

async function doctor(): Promise<void> {
  const cfg = config();
  out('Effective configuration (secrets masked):');
  const rows = describeConfig(cfg);
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) out(`  ${r.name.padEnd(width)}  ${r.value}`);
  out('');
  const checks: Array<[string, Outcome]> = [
    ['database', await checkDatabase(cfg)],
    ['redis', await checkRedis(cfg)],
    ['chromium', await checkChromium(cfg)],
  ];
  for (const [name, o] of checks) {
    out(`${o.ok ? 'OK  ' : 'FAIL'}  ${name.padEnd(8)}  ${o.line}`);
    if (!o.ok && o.hint) out(`      ${''.padEnd(8)}  hint: ${o.hint}`);
  }
  if (checks.some(([, o]) => !o.ok)) process.exitCode = 1;
}

/**
 * The same readiness check as `/readyz`, for a process without an HTTP port (the worker container's
 * health check): database and Redis answer and a heartbeat went through the queue recently.
 */
async function health(): Promise<void> {
  const cfg = config();
  const problem = await probe(cfg.redis.url ?? LOCAL_REDIS_URL);
  await withDatabase(async (db) => {
    const readiness = await checkReadiness({
      db,
      pingRedis: async () => {
        if (problem) throw new Error(problem);
      },
      heartbeatIntervalMs: cfg.heartbeatIntervalMs,
    });
    out(JSON.stringify(readiness));
    if (!readiness.ready) process.exitCode = 1;
  });
}

const program = new Command('yunying')
  .description('运营 Yunying operator commands')
  .showHelpAfterError()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });
program
  .command('migrate')
  .argument(
    '[direction]',
    '"up" (default) applies all pending migrations; "down" reverts the latest one',
    'up',
  )
  .description('apply pending database migrations')
  .action(migrate);
program
  .command('migrate:down')
  .description('revert the most recent migration')
  .action(() => migrate('down'));
program
  .command('doctor')
  .description('print the effective configuration and check database, Redis and Chromium')
  .action(doctor);
program
  .command('health')
  .description('exit 0 when database, Redis and the worker heartbeat are healthy (as /readyz), else 1')
  .action(health);

registerUserCommands(program, { withDatabase, out });
registerAuditCommands(program, { withDatabase, out, config });
registerKeysCommands(program, { withDatabase, out, config });
registerMetricsCommands(program, { withDatabase, out, config });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof StartupError || err instanceof AppError) {
    process.stderr.write(
      `yunying: ${err.message}\n${err instanceof StartupError && err.hint ? `  hint: ${err.hint}\n` : ''}`,
    );
    process.exit(1);
  }
  throw err;
}
