import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from '../core/config/config.js';
import { MigrationFailedError } from '../core/db/migrate.js';
import { StartupError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/logger.js';
import { ROLES, type Role, type RunningService, startService } from './service.js';

/**
 * The one entry point: `node dist/bin/main.js [--role api|worker|all]`.
 * Exit codes: 0 after a clean stop, 1 when start-up fails or a crash happens, 2 for a bad argument.
 */

function fail(message: string, hint?: string, code = 1): never {
  process.stderr.write(`yunying: ${message}\n${hint ? `  hint: ${hint}\n` : ''}`);
  process.exit(code);
}

function parseRole(): Role {
  try {
    const { values } = parseArgs({ options: { role: { type: 'string', default: 'all' } }, strict: true });
    const role = values.role as Role;
    if (!ROLES.includes(role))
      fail(`--role must be one of ${ROLES.join(', ')}, got "${values.role}"`, undefined, 2);
    return role;
  } catch (err) {
    return fail((err as Error).message, 'Usage: yunying [--role api|worker|all]', 2);
  }
}

function printBanner(config: Config, role: Role, service: RunningService): void {
  const { address, demoLogin } = service;
  const base = config.publicUrl ?? address?.replace('://0.0.0.0:', '://localhost:');
  const lines = [
    `运营 Yunying is running (role ${role}, ${config.database.url ? 'PostgreSQL' : `embedded database in ${config.dataDir}`}).`,
  ];
  if (address) {
    lines.push(
      `  Backend  后台      ${base}/admin`,
      `  Portal   客户门户  ${base}/portal`,
      `  API docs 接口文档  ${base}/docs`,
      `  Ready?            ${base}/readyz`,
    );
  }
  if (service.sandboxUrl) {
    lines.push(`  Sandbox  沙箱      ${service.sandboxUrl}  (platform emulator for the 沙箱 demo accounts)`);
  }
  if (demoLogin) {
    lines.push(
      '',
      '  First start on an empty database: a demo superadmin was created (首次启动，已创建演示超级管理员).',
      `  Username 用户名  ${demoLogin.username}`,
      `  Password 密码    ${demoLogin.password}   (shown only now; change it at first sign-in 首次登录须修改)`,
      '',
    );
  }
  lines.push('Press Ctrl-C to stop.');
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const role = parseRole();
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.problems.map((p) => `yunying: ${p}`).join('\n')}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger: Logger = createLogger(config.logLevel);
  let starting: Promise<RunningService> | null = null;

  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection; exiting');
    process.exit(1);
  });

  let signals = 0;
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      // npm and tsx relay the terminal's Ctrl-C, so the same key press can arrive twice at once;
      // only a second press after a moment means "stop waiting".
      if (Date.now() - firstSignalAt < 1500) return;
      logger.warn({ signal }, 'second signal: exiting without waiting for running work');
      process.exit(1);
    }
    firstSignalAt = Date.now();
    logger.info({ signal }, 'stopping: no new requests or jobs; waiting for running work');
    // A signal during start-up waits for the start to finish (or fail) and then stops what started.
    const stopped = starting
      ? starting.then(
          (s) => s.stop(),
          () => undefined,
        )
      : Promise.resolve();
    stopped.then(
      () => {
        logger.info('stopped cleanly');
        logger.flush();
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  starting = startService({ role, config, logger });
  let service: RunningService;
  try {
    service = await starting;
  } catch (err) {
    if (err instanceof StartupError) fail(err.message, err.hint);
    if (err instanceof MigrationFailedError)
      fail(err.message, 'Fix the migration and run `npm run migrate` again.');
    throw err;
  }
  if (signals === 0) printBanner(config, role, service);
}

await main();
