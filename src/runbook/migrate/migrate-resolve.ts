import type pg from 'pg';
import { missingApiTables, missingApiTablesFailure } from '../../db/missing-api-tables.js';
import { isApplied, isFailed } from '../../db/migrations/ledger.js';
import { ensureLedger, insertResolvedAppliedRow, markFailedRolledBack } from '../../db/migrations/ledger-writes.js';
import { TIER_MIGRATION } from '../../db/migrations/migration-files.js';
import { inTransaction, withMigrationSession } from '../../db/migrations/migration-session.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, usageFailure, type Result } from '../../shared/failure.js';
import type { DatabaseTarget } from '../../shared/database-target.js';
import type { Reporter } from '../../shared/reporter.js';
import { underMigrationLock } from './migration-lock.js';
import { loadMigrationSet, readMigrationState, type MigrationSet } from './migration-state.js';

export interface MigrateResolveOptions {
  readonly database: DatabaseTarget;
  readonly migrationsDir?: string;
  /** Record this migration as applied without running it (prisma migrate resolve --applied). */
  readonly applied?: string;
  /** Set this migration's failed rows aside (prisma migrate resolve --rolled-back). */
  readonly rolledBack?: string;
  readonly waitMs?: number;
}

export interface MigrateResolveReport {
  readonly database: string;
  readonly migration: string;
  readonly action: 'applied' | 'rolled-back';
  /** Failed rows of the migration marked rolled back (Prisma does this for --applied too). */
  readonly failedRowsSetAside: number;
}

export interface MigrateResolveDeps {
  readonly reporter: Reporter;
  readonly signal?: AbortSignal;
  readonly confirm?: (plan: { readonly database: string; readonly action: string }) => Promise<void>;
}

/**
 * `tierctl migrate resolve`, with `prisma migrate resolve`'s rules: --applied refuses an
 * unknown migration (P3017) and one already applied (P3008); --rolled-back refuses a
 * migration that never ran (P3011) and one applied successfully (P3012). One more rule of
 * ours: the tier migration is recorded as applied only when all its columns and indexes exist.
 */
export async function migrateResolve(options: MigrateResolveOptions, deps: MigrateResolveDeps): Promise<Result<MigrateResolveReport>> {
  if ((options.applied === undefined) === (options.rolledBack === undefined)) {
    return err(usageFailure('resolve_usage', 'Give exactly one of --applied NAME or --rolled-back NAME'));
  }
  const set = await loadMigrationSet(options.migrationsDir);
  if (!set.ok) return set;
  const name = (options.applied ?? options.rolledBack)!;
  if (options.applied !== undefined && !set.value.files.some((f) => f.name === name)) {
    return err(usageFailure('migration_not_found', `P3017: The migration ${name} could not be found. Please make sure that the migration exists, and that you included the whole name of the directory. (example: "20201207184859_initial_migration")`));
  }
  const action = options.applied !== undefined ? `record ${name} as applied without running it` : `mark the failed ${name} as rolled back`;
  return withMigrationSession(options.database, 'migrate resolve', async (client, schema) => {
    await deps.confirm?.({ database: options.database.redacted, action });
    return underMigrationLock(client, options, deps, async () => {
      const missing = options.applied !== undefined ? await missingApiTables(client, schema) : [];
      if (missing.length > 0) return err(missingApiTablesFailure(options.database.redacted, schema, missing));
      const result = options.applied !== undefined ? await resolveApplied(client, set.value, schema, name) : await resolveRolledBack(client, set.value, schema, name);
      if (result.ok) deps.reporter.info(`${name}: ${action}`);
      return result.ok ? ok({ database: options.database.redacted, migration: name, ...result.value }) : result;
    });
  });
}

async function resolveApplied(client: pg.ClientBase, set: MigrationSet, schema: string, name: string) {
  const state = await readMigrationState(client, schema, set.files);
  const rows = (state.ledger ?? []).filter((r) => r.migrationName === name);
  if (rows.some(isApplied)) return err(failure('already_applied', `P3008: The migration \`${name}\` is already recorded as applied in the database.`, ExitCode.failed));
  if (name === TIER_MIGRATION && state.tier.state !== 'present') {
    const have = [...state.tier.columns, ...state.tier.indexes];
    return err(failure('tier_schema_incomplete', `Refusing to record ${name} as applied: models has ${have.length > 0 ? `only ${have.join(', ')}` : 'none of its columns and indexes'}. The ledger would then say the database has what it lacks.`, ExitCode.refused, {
      hint: 'Complete the migration by hand (its migration.sql), or restore the backup taken before it, then run `tierctl migrate status`.',
    }));
  }
  const file = set.files.find((f) => f.name === name)!;
  await inTransaction(client, async () => {
    await ensureLedger(client, schema);
    await insertResolvedAppliedRow(client, schema, file);
  });
  return ok({ action: 'applied' as const, failedRowsSetAside: rows.filter(isFailed).length });
}

async function resolveRolledBack(client: pg.ClientBase, set: MigrationSet, schema: string, name: string) {
  const state = await readMigrationState(client, schema, set.files);
  const rows = (state.ledger ?? []).filter((r) => r.migrationName === name);
  if (!rows.some(isFailed)) {
    if (rows.some(isApplied)) return err(failure('not_failed', `P3012: Migration \`${name}\` cannot be rolled back because it is not in a failed state.`, ExitCode.failed, { hint: 'To undo an applied migration, use `tierctl migrate rollback`.' }));
    return err(failure('never_applied', `P3011: Migration \`${name}\` cannot be rolled back because it was never applied to the database. Hint: did you pass in the whole migration name? (example: "20201207184859_initial_migration")`, ExitCode.failed));
  }
  const count = await inTransaction(client, () => markFailedRolledBack(client, schema, name));
  return ok({ action: 'rolled-back' as const, failedRowsSetAside: count });
}
