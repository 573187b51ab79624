import { withMigrationSession } from '../../db/migrations/migration-session.js';
import type { MigrationStatusEntry } from '../../db/migrations/migration-status.js';
import type { TierSchemaState } from '../../db/tier-columns.js';
import { ok, type Result } from '../../shared/failure.js';
import { sessionRedacted, type DatabaseTarget } from '../../shared/database-target.js';
import type { Reporter } from '../../shared/reporter.js';
import { applyBlockers, migrationProblems, type MigrationProblem } from './migration-problems.js';
import { loadMigrationSet, namesIn, readMigrationState } from './migration-state.js';

export interface MigrateStatusOptions {
  readonly database: DatabaseTarget;
  readonly migrationsDir?: string;
}

export interface MigrateStatusReport {
  /** The database URL, password redacted. */
  readonly database: string;
  readonly schema: string;
  readonly migrationsDir: string;
  readonly ledgerPresent: boolean;
  /** Every migration folder: applied, modified, failed, rolled_back (by tierctl) or pending. */
  readonly migrations: readonly MigrationStatusEntry[];
  readonly pending: readonly string[];
  readonly failed: readonly string[];
  readonly unknownInDatabase: readonly string[];
  /** What of the tier migration is in the catalog, whatever the ledger says. */
  readonly tierSchema: TierSchemaState;
  readonly problems: readonly MigrationProblem[];
  /** Prisma's "Database schema is up to date!": nothing pending or failed, no error-level problem. */
  readonly upToDate: boolean;
  /** The codes of the problems `migrate apply` would refuse on (empty: it would apply what is pending). */
  readonly applyRefusedBy: readonly MigrationProblem['code'][];
}

/** `tierctl migrate status`: the migrations against the ledger and the catalog. Reads only. */
export async function migrateStatus(options: MigrateStatusOptions, deps: { reporter: Reporter }): Promise<Result<MigrateStatusReport>> {
  const set = await loadMigrationSet(options.migrationsDir);
  if (!set.ok) return set;
  const step = deps.reporter.step(`Reading the migration state of ${sessionRedacted(options.database)}`);
  const report = await withMigrationSession(options.database, 'migrate status', async (client, schema) => {
    const state = await readMigrationState(client, schema, set.value.files);
    const problems = migrationProblems(state, set.value.hasTierMigration);
    const pending = namesIn(state, 'pending', 'rolled_back');
    const failed = namesIn(state, 'failed');
    return ok({
      database: options.database.redacted,
      schema,
      migrationsDir: set.value.dir,
      ledgerPresent: !state.status.ledgerMissing,
      migrations: state.status.entries,
      pending,
      failed,
      unknownInDatabase: state.status.unknownInDatabase,
      tierSchema: state.tier,
      problems,
      upToDate: pending.length === 0 && failed.length === 0 && !problems.some((p) => p.level === 'error'),
      applyRefusedBy: applyBlockers(problems, pending.length).map((p) => p.code),
    });
  }, { plain: true });
  if (report.ok) step.succeed(`${report.value.migrations.length} migrations, ${report.value.pending.length} pending`);
  else step.fail(report.failure.message);
  return report;
}
