import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { platformClientsFor } from '../../api/app.js';
import type { Config } from '../../core/config/config.js';
import type { Db } from '../../core/db/database.js';
import { AppError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { metricsCacheInvalidator } from '../../core/metrics/cache.js';
import { type BackfillView, requestBackfill, runBackfill } from '../../core/metrics/ingest.js';
import { connectRedis } from '../../core/redis/redis.js';
import { loadKeyring } from '../../core/secrets/keyring.js';
import type { CommandContext } from './users.commands.js';

/** Finds an account by id, AppID / Weibo uid, or exact name. */
async function findAccount(db: Db, key: string) {
  const rows = await db
    .selectFrom('accounts')
    .select(['id', 'name', 'platform', 'sandbox'])
    .where((eb) =>
      eb.or([
        ...(/^[0-9a-f-]{36}$/i.test(key) ? [eb('id', '=', key)] : []),
        eb('external_id', '=', key),
        eb('name', '=', key),
      ]),
    )
    .execute();
  if (rows.length === 0)
    throw new AppError('ACCOUNT_NOT_FOUND', `No account "${key}" (id, AppID, Weibo uid or name)`, 404);
  if (rows.length > 1)
    throw new AppError('ACCOUNT_AMBIGUOUS', `"${key}" names ${rows.length} accounts; use the id`, 422);
  return rows[0] as (typeof rows)[number];
}

export function registerMetricsCommands(
  program: Command,
  ctx: CommandContext & { config: () => Config },
): void {
  program
    .command('metrics:backfill')
    .description(
      "pull an account's figures for a range from its platform (split into the allowed spans; resumes an unfinished run of the same range; safe to repeat)",
    )
    .requiredOption('--account <account>', 'account id, AppID / Weibo uid, or name')
    .requiredOption('--from <day>', 'first day, YYYY-MM-DD (Asia/Shanghai)')
    .requiredOption('--to <day>', 'last day, YYYY-MM-DD, at most yesterday')
    .action(async (opts: { account: string; from: string; to: string }) => {
      const config = ctx.config();
      const logger = createLogger('warn');
      await ctx.withDatabase(async (raw) => {
        const db = raw as Db;
        const account = await findAccount(db, opts.account);
        if (account.sandbox)
          throw new AppError(
            'SANDBOX_ACCOUNT',
            'A sandbox account talks to the emulator inside the running service; backfill it through the API',
            422,
          );
        const redis = await connectRedis(config, logger);
        try {
          const keyring = await loadKeyring(config, logger);
          const platforms = platformClientsFor(config, redis.client, db, keyring, null);
          const deps = {
            db,
            platformFor: platforms.platformFor,
            logger,
            onWrite: metricsCacheInvalidator(redis.client, config.redis.prefix),
          };
          const { backfill, created } = await requestBackfill(deps, null, {
            accountId: account.id,
            from: opts.from,
            to: opts.to,
          });
          ctx.out(
            `${created ? 'Backfill' : 'Resuming backfill'} ${backfill.id}: ${account.name} (${account.platform}), ${opts.from} … ${opts.to}, ${backfill.totalDays} days${backfill.through ? `, stored through ${backfill.through}` : ''}`,
          );
          const bar = new SingleBar({
            format: ' {bar} {percentage}% | {value}/{total} days | through {through} | {rows} rows',
            hideCursor: true,
            stream: process.stderr,
            // Without a terminal (logs, CI): a line every 2 s instead of redrawing.
            noTTYOutput: true,
            notTTYSchedule: 2000,
          });
          bar.start(backfill.totalDays, backfill.doneDays, {
            through: backfill.through ?? '—',
            rows: backfill.rowsWritten,
          });
          let final: BackfillView | null;
          try {
            final = await runBackfill(deps, backfill.id, (v) =>
              bar.update(v.doneDays, { through: v.through ?? '—', rows: v.rowsWritten }),
            );
          } finally {
            bar.stop();
          }
          if (!final) {
            ctx.out(
              'Another process is running this backfill now; its progress: GET /api/accounts/:id/backfills.',
            );
            process.exitCode = 1;
            return;
          }
          ctx.out(`Done: ${final.rowsWritten} rows written (repeats overwrite, never duplicate).`);
          for (const n of final.notes) ctx.out(`note: ${n}`);
        } finally {
          await redis.close();
        }
      });
    });
}
