import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import type { Db } from '../../core/db/database.js';
import { AppError } from '../../core/errors.js';
import { createSuperadmin } from '../../core/identity/users.service.js';

export interface CommandContext {
  withDatabase: <T>(work: (db: Kysely<any>) => Promise<T>) => Promise<T>;
  out: (line: string) => void;
}

/** Reads a line from the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new AppError('CANCELLED', 'Cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function readStdinLine(): Promise<string> {
  let data = '';
  for await (const chunk of process.stdin) {
    data += chunk;
    if (data.includes('\n') || data.length > 1000) break;
  }
  return (data.split(/\r?\n/)[0] ?? '').slice(0, 1000);
}

export function registerUserCommands(program: Command, ctx: CommandContext): void {
  program
    .command('user:create')
    .description('create the first superadmin (refused when one exists); asks for the password')
    .requiredOption('--role <role>', 'only "superadmin": other users are created in the backend')
    .requiredOption('--username <name>', 'sign-in name')
    .option('--display-name <name>', 'name shown in the backend', '超级管理员')
    .option('--password-stdin', 'read the password from standard input instead of asking')
    .action(
      async (opts: { role: string; username: string; displayName: string; passwordStdin?: boolean }) => {
        if (opts.role !== 'superadmin')
          throw new AppError(
            'ROLE_NOT_SUPPORTED',
            `user:create only creates the first superadmin; create ${opts.role} users in the backend (POST /api/users)`,
          );
        let password: string;
        if (opts.passwordStdin || !process.stdin.isTTY) password = await readStdinLine();
        else {
          password = await promptHidden('Password 密码: ');
          if ((await promptHidden('Repeat 再次输入: ')) !== password)
            throw new AppError('PASSWORD_MISMATCH', 'The two passwords differ');
        }
        const user = await ctx.withDatabase((db) =>
          createSuperadmin(
            { db: db as Db },
            { username: opts.username, displayName: opts.displayName, password, mustChangePassword: false },
            { ip: null, userAgent: null, requestId: null },
          ),
        );
        ctx.out(
          `Created superadmin ${user.username} (${user.id}). Two-factor enrolment follows at first sign-in.`,
        );
      },
    );
}
