import { type Kysely, type Migration, type MigrationResult, Migrator } from 'kysely';
import { migrations as allMigrations } from '../../migrations/index.js';
import { AppError, errorMessage } from '../errors.js';

export interface MigrationReport {
  /** Names applied (up) or reverted (down), in order. */
  done: string[];
}

/** A failed migration run; every migration of the run was rolled back. */
export class MigrationFailedError extends AppError {
  constructor(
    readonly migration: string | null,
    override readonly cause: unknown,
    readonly rolledBack: string[],
  ) {
    super(
      'MIGRATION_FAILED',
      migration
        ? `Migration ${migration} failed: ${errorMessage(cause)}. Nothing was applied in this run (rolled back: ${rolledBack.join(', ') || 'none'}).`
        : `Migrations could not run: ${errorMessage(cause)}`,
      500,
      { migration, rolledBack },
    );
  }
}

export function createMigrator(
  db: Kysely<any>,
  migrations: Record<string, Migration> = allMigrations,
): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

function report(results: MigrationResult[] | undefined, error: unknown): MigrationReport {
  const list = results ?? [];
  if (error !== undefined) {
    const failed = list.find((r) => r.status === 'Error')?.migrationName ?? null;
    // Postgres runs the whole batch in one transaction: the ones that "succeeded" before the failure are undone too.
    const rolledBack = list.filter((r) => r.status === 'Success').map((r) => r.migrationName);
    throw new MigrationFailedError(failed, error, rolledBack);
  }
  return { done: list.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

export async function migrateToLatest(
  db: Kysely<any>,
  migrations?: Record<string, Migration>,
): Promise<MigrationReport> {
  const { results, error } = await createMigrator(db, migrations).migrateToLatest();
  return report(results, error);
}

/** Reverts the most recent migration. */
export async function migrateDown(
  db: Kysely<any>,
  migrations?: Record<string, Migration>,
): Promise<MigrationReport> {
  const { results, error } = await createMigrator(db, migrations).migrateDown();
  return report(results, error);
}

export async function pendingMigrations(
  db: Kysely<any>,
  migrations?: Record<string, Migration>,
): Promise<string[]> {
  const all = await createMigrator(db, migrations).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
