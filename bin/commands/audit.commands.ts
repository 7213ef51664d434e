import type { Command } from 'commander';
import { type ChainBreak, purgeAudit, verifyAuditChain } from '../../core/audit/audit-chain.js';
import type { Config } from '../../core/config/config.js';
import type { Db } from '../../core/db/database.js';
import type { CommandContext } from './users.commands.js';

const REASONS: Record<ChainBreak, string> = {
  altered: 'its content no longer matches its hash (the row was changed)',
  missing_previous: 'it does not follow the row before it (rows were removed or reordered)',
  bad_anchor: 'the oldest row follows rows that no recorded purge removed (rows were removed)',
};

/** Progress for long walks only: a line to stderr at most once a second. */
function progressReporter(): (checked: number) => void {
  let last = Date.now();
  return (checked) => {
    if (Date.now() - last < 1000) return;
    last = Date.now();
    process.stderr.write(`checked ${checked} rows…\n`);
  };
}

export function registerAuditCommands(
  program: Command,
  ctx: CommandContext & { config: () => Config },
): void {
  program
    .command('audit:verify')
    .description("check the audit log's hash chain; names the first altered or missing row")
    .action(async () => {
      const verdict = await ctx.withDatabase((db) =>
        verifyAuditChain(db as Db, { onProgress: progressReporter() }),
      );
      if (verdict.ok) {
        ctx.out(`Audit log intact: ${verdict.checked} rows checked.`);
        return;
      }
      ctx.out(
        `Audit log BROKEN at row ${verdict.brokenAt}: ${REASONS[verdict.reason]}. The ${verdict.checked} rows before it are intact.`,
      );
      process.exitCode = 1;
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
