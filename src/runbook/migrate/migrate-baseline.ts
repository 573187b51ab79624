import type pg from 'pg';
import { compareWithMigrations } from '../../db/migrations/baseline-compare.js';
import { ensureLedger, insertResolvedAppliedRow } from '../../db/migrations/ledger-writes.js';
import { TIER_MIGRATION, type MigrationFile } from '../../db/migrations/migration-files.js';
import { inTransaction, withMigrationSession } from '../../db/migrations/migration-session.js';
import { tierSchemaState } from '../../db/tier-columns.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, usageFailure, type Result } from '../../shared/failure.js';
import type { DatabaseTarget } from '../../shared/database-target.js';
import type { Reporter } from '../../shared/reporter.js';
import { underMigrationLock } from './migration-lock.js';
import { loadMigrationSet, readMigrationState, type MigrationSet } from './migration-state.js';

export interface MigrateBaselineOptions {
  readonly database: DatabaseTarget;
  readonly migrationsDir?: string;
  /** The last migration the database already has (default: the one before the tier migration). */
  readonly to?: string;
  readonly waitMs?: number;
}

export interface MigrateBaselineReport {
  readonly database: string;
  readonly schema: string;
  /** Marked applied by this run (rows like `prisma migrate resolve --applied`). */
  readonly marked: readonly string[];
  readonly alreadyApplied: readonly string[];
  /** What was compared: the live schema against the migrations replayed in a scratch schema. */
  readonly compared: { readonly columns: number; readonly indexes: number; readonly enums: number };
}

export interface MigrateBaselineDeps {
  readonly reporter: Reporter;
  readonly signal?: AbortSignal;
  readonly confirm?: (plan: { readonly database: string; readonly migrations: readonly string[] }) => Promise<void>;
}

function baselineFiles(set: MigrationSet, to: string | undefined): Result<MigrationFile[]> {
  if (to !== undefined && !set.files.some((f) => f.name === to)) {
    return err(usageFailure('migration_not_found', `P3017: The migration ${to} could not be found in ${set.dir}.`));
  }
  const files = set.files.filter((f) => (to !== undefined ? f.name <= to : f.name < TIER_MIGRATION));
  return files.length > 0 ? ok(files) : err(usageFailure('no_baseline', `No migration in ${set.dir} comes before ${TIER_MIGRATION}: name the last one the database has with --to`));
}

/**
 * `tierctl migrate baseline`: Prisma's P3005 way out, for a database that has the old
 * schema but no `_prisma_migrations`. Checks the schema really is what the migrations up
 * to `to` build (see compareWithMigrations for what is compared), then records them as
 * applied without running them, as `prisma migrate resolve --applied` would.
 */
export async function migrateBaseline(options: MigrateBaselineOptions, deps: MigrateBaselineDeps): Promise<Result<MigrateBaselineReport>> {
  const set = await loadMigrationSet(options.migrationsDir);
  if (!set.ok) return set;
  const files = baselineFiles(set.value, options.to);
  if (!files.ok) return files;
  return withMigrationSession(options.database, 'migrate baseline', (client, schema) => baselineWith(client, set.value, files.value, schema, options, deps));
}

async function baselineWith(client: pg.Client, set: MigrationSet, files: MigrationFile[], schema: string, options: MigrateBaselineOptions, deps: MigrateBaselineDeps): Promise<Result<MigrateBaselineReport>> {
  const database = options.database.redacted;
  const applied = async () => {
    const state = await readMigrationState(client, schema, set.files);
    if (state.status.entries.some((e) => e.state === 'failed')) return null;
    return new Set(state.status.entries.filter((e) => e.state === 'applied' || e.state === 'modified').map((e) => e.name));
  };
  const before = await applied();
  if (!before) return err(failure('failed_migration', 'P3009: the ledger has a failed migration; resolve it first (tierctl migrate status)', ExitCode.refused));
  const todo = files.filter((f) => !before.has(f.name));
  const step = deps.reporter.step('Comparing the schema with the migrations replayed in a scratch schema (rolled back)');
  const check = await compareWithMigrations(client, schema, files);
  const compared = { columns: check.expected.columns.length, indexes: check.expected.indexes.length, enums: Object.keys(check.expected.enums).length };
  if (check.differences.length > 0) {
    step.fail(`${check.differences.length} differences`);
    const tier = await tierSchemaState(client, schema);
    const tierHint = options.to !== undefined ? '' : tier.state === 'present'
      ? ` The schema has the tier columns and indexes: if the tier migration was applied by hand, baseline up to it with --to ${TIER_MIGRATION}.`
      : tier.state === 'partial' ? ` The tier migration is partially applied (${[...tier.columns, ...tier.indexes].join(', ')}): restore the backup taken before it, or complete it by hand, then baseline with --to ${TIER_MIGRATION}.` : '';
    return err(failure('schema_not_baseline', `The schema "${schema}" is not what the migrations up to ${files.at(-1)!.name} build:\n  ${check.differences.join('\n  ')}`, ExitCode.refused, {
      hint: `Baselining records migrations as applied without running them, so it is only right when the schema already matches.${tierHint}`,
      problems: check.differences,
    }));
  }
  step.succeed(`${compared.columns} columns, ${compared.indexes} indexes, ${compared.enums} enums match`);
  const base = { database, schema, compared, alreadyApplied: files.filter((f) => before.has(f.name)).map((f) => f.name) };
  if (todo.length === 0) return ok({ ...base, marked: [] });
  await deps.confirm?.({ database, migrations: todo.map((f) => f.name) });
  return underMigrationLock(client, options, deps, async () => {
    const now = await applied();
    if (!now) return err(failure('failed_migration', 'P3009: a failed migration appeared in the ledger meanwhile', ExitCode.refused));
    const marking = files.filter((f) => !now.has(f.name));
    await inTransaction(client, async () => {
      await ensureLedger(client, schema);
      for (const f of marking) await insertResolvedAppliedRow(client, schema, f);
    });
    return ok({ ...base, marked: marking.map((f) => f.name), alreadyApplied: files.filter((f) => now.has(f.name)).map((f) => f.name) });
  });
}
