import type { Command } from 'commander';
import type { Config } from '../../core/config/config.js';
import type { Db } from '../../core/db/database.js';
import { createLogger } from '../../core/logger.js';
import { loadKeyring } from '../../core/secrets/keyring.js';
import { keyUsage, rotateKeys } from '../../core/secrets/rotate.js';
import type { CommandContext } from './users.commands.js';

export function registerKeysCommands(program: Command, ctx: CommandContext & { config: () => Config }): void {
  program
    .command('keys:rotate')
    .description(
      're-encrypt every secret under the current APP_ENCRYPTION_KEY (old keys in APP_ENCRYPTION_KEYS_PREVIOUS)',
    )
    .action(async () => {
      const keyring = await loadKeyring(ctx.config(), createLogger('error'));
      // A progress counter for a person watching; nothing in a log or a pipe.
      const tty = process.stderr.isTTY;
      const r = await ctx.withDatabase((db) =>
        rotateKeys(db as Db, keyring, {
          onProgress: tty ? (done, total) => process.stderr.write(`\r${done}/${total}`) : undefined,
        }),
      );
      if (tty) process.stderr.write('\r\x1b[K');
      ctx.out(
        `Re-encrypted ${r.secrets} secret(s) and ${r.totpSecrets} TOTP secret(s) under key ${keyring.current.id}; ${r.alreadyCurrent} already current.`,
      );
    });
  program
    .command('keys:status')
    .description('count encrypted values per key id')
    .action(async () => {
      const keyring = await loadKeyring(ctx.config(), createLogger('error'));
      const usage = await ctx.withDatabase((db) => keyUsage(db as Db));
      if (usage.length === 0) ctx.out('No encrypted values stored.');
      for (const u of usage)
        ctx.out(
          `${u.keyId}  ${String(u.values).padStart(6)} value(s)${u.keyId === keyring.current.id ? '  (current key)' : keyring.byId.has(u.keyId) ? '  (previous key: run keys:rotate)' : '  (UNKNOWN key: add it to APP_ENCRYPTION_KEYS_PREVIOUS)'}`,
        );
    });
}
