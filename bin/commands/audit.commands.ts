import type { Command } from 'commander';
import { purgeAudit, verifyAuditChain } from '../../core/audit/audit-chain.js';
import type { Config } from '../../core/config/config.js';
import type { Db } from '../../core/db/database.js';
import type { CommandContext } from './users.commands.js';

const REASONS = {
  altered: 'its content no longer matches its hash (the row was changed)',
  missing_previous: 'it does not follow the row before it (rows were removed or reordered)',
  bad_anchor: 'the oldest row points at a row that no recorded purge removed (rows were removed)',
} as const;

export function registerAuditCommands(
  program: Command,
  ctx: CommandContext & { config: () => Config },
): void {
  program
    .command('audit:verify')
    .description("check the audit log's hash chain; names the first altered or missing row")
    .action(async () => {
      const verdict = await ctx.withDatabase((db) =>
        verifyAuditChain(db as Db, {
          onProgress: (n) => process.stderr.write(`\rchecked ${n} rows`),
        }),
      );
      process.stderr.write('\r');
      if (verdict.ok) ctx.out(`Audit log intact: ${verdict.checked} rows checked.`);
      else {
        ctx.out(
          `Audit log BROKEN at row ${verdict.brokenAt}: ${REASONS[verdict.reason]}. ${verdict.checked} rows before it are intact.`,
        );
        process.exitCode = 1;
      }
    });
  program
    .command('audit:purge')
    .description('remove audit rows older than AUDIT_RETENTION_DAYS (at least 180) and record the purge')
    .action(async () => {
      const days = ctx.config().auditRetentionDays;
      const r = await ctx.withDatabase((db) => purgeAudit(db as Db, days));
      ctx.out(`Purged ${r.deleted} audit row(s) older than ${days} days.`);
    });
}
