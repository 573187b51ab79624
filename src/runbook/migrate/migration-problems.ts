import { isFailed } from '../../db/migrations/ledger.js';
import { TIER_MIGRATION } from '../../db/migrations/migration-files.js';
import { TIER_COLUMNS, TIER_INDEXES } from '../../db/tier-columns.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { failure, type Failure } from '../../shared/failure.js';
import { namesIn, type MigrationState } from './migration-state.js';

/** Something wrong between the migrations, the ledger and the catalog, in Prisma's terms where Prisma has one. */
export interface MigrationProblem {
  readonly code: 'not_managed' | 'failed_migration' | 'migration_modified' | 'missing_locally' | 'tier_schema_partial' | 'tier_schema_unrecorded' | 'tier_schema_drift';
  /** `error`: status is not in sync and apply refuses. `warning`: reported; fails `status --strict`; apply refuses `migration_modified` too. */
  readonly level: 'error' | 'warning';
  /** Prisma's error code for the same situation, when it has one. */
  readonly prisma?: string;
  readonly message: string;
  readonly hint: string;
}

const list = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(', ');

/** Every problem with the database's migration state, for `status` to show and `apply` to refuse on. */
export function migrationProblems(state: MigrationState, hasTierMigration: boolean): MigrationProblem[] {
  const problems: MigrationProblem[] = [];
  const { status } = state;
  if (status.ledgerMissing && state.tables.length > 0) {
    problems.push({
      code: 'not_managed',
      level: 'error',
      prisma: 'P3005',
      message: `The database schema "${state.schema}" is not empty (${state.tables.length} tables: ${state.tables.slice(0, 5).join(', ')}${state.tables.length > 5 ? ', ...' : ''}) and is not managed by Prisma Migrate: it has no _prisma_migrations table.`,
      hint: 'If it already has the schema the older migrations create, baseline it: `tierctl migrate baseline` checks that and marks them applied without running them (https://pris.ly/d/migrate-baseline).',
    });
  }
  for (const name of namesIn(state, 'failed')) {
    const row = state.ledger?.find((r) => r.migrationName === name && isFailed(r));
    problems.push({
      code: 'failed_migration',
      level: 'error',
      prisma: 'P3009',
      message: `Migrate found failed migrations in the target database, new migrations will not be applied. The \`${name}\` migration started at ${row?.startedAt.toISOString() ?? '?'} failed${row?.logs ? `: ${firstErrorLine(row.logs)}` : ''}.`,
      hint: `Find out what it left in the database. If nothing (tierctl's own failed applies always roll back whole), fix the cause and run \`tierctl migrate resolve --rolled-back ${name}\`, then apply again; if you completed it by hand, \`tierctl migrate resolve --applied ${name}\` (https://pris.ly/d/migrate-resolve).`,
    });
  }
  const modified = namesIn(state, 'modified');
  if (modified.length > 0) {
    problems.push({
      code: 'migration_modified',
      level: 'warning',
      message: `The migration${modified.length > 1 ? 's' : ''} ${list(modified)} ${modified.length > 1 ? 'were' : 'was'} modified after being applied: migration.sql no longer has the checksum recorded in _prisma_migrations (drift).`,
      hint: 'Restore the file as it was applied (e.g. `git checkout` it). An applied migration is never run again, so an edit there only makes the files lie about the database.',
    });
  }
  if (status.unknownInDatabase.length > 0) {
    problems.push({
      code: 'missing_locally',
      level: 'warning',
      message: `The following migration(s) are applied to the database but missing from the local migrations directory: ${list(status.unknownInDatabase)}.`,
      hint: 'This checkout is older than the database: use the code that applied them (or its migrations directory).',
    });
  }
  if (hasTierMigration) problems.push(...tierProblems(state));
  return problems;
}

/** Every tier column and index gone while the ledger says applied: what the guide's manual rollback SQL leaves. */
export const MANUAL_ROLLBACK_HINT =
  "This is what the guide's manual rollback SQL leaves: the schema rolled back, the ledger not. To finish that rollback, run `tierctl migrate rollback`: it runs the down.sql files (their DROP ... IF EXISTS find the tier columns gone) and removes the ledger rows, so ledger and schema agree. To keep the feature instead, restore the backup taken before the rollback.";

/** Some tier columns or indexes gone while the ledger says applied: part of the guide's manual rollback SQL, run by hand. */
export const PARTIAL_MANUAL_ROLLBACK_HINT =
  "This is what part of the guide's manual rollback SQL leaves: some of the tier schema dropped by hand, the ledger still saying applied. To finish that rollback, run `tierctl migrate rollback`: its down.sql files drop what is left (DROP ... IF EXISTS) and it removes the ledger rows. When the columns left still hold tier settings, it first asks for a backup of them: `tierctl backup --dir DIR`, then `tierctl migrate rollback --backup MANIFEST` (or `--accept-loss` if they may go). To keep the feature instead, restore the backup taken before the manual SQL (`tierctl restore MANIFEST`).";

function tierProblems(state: MigrationState): MigrationProblem[] {
  const { tier } = state;
  const entry = state.status.entries.find((e) => e.name === TIER_MIGRATION);
  const recorded = entry?.state === 'applied' || entry?.state === 'modified';
  const missing = [...TIER_COLUMNS.filter((c) => !tier.columns.includes(c)), ...TIER_INDEXES.filter((i) => !tier.indexes.includes(i))];
  const present = [...tier.columns, ...tier.indexes];
  if (tier.state === 'partial' && !recorded) {
    return [{
      code: 'tier_schema_partial',
      level: 'error',
      message: `The tier migration is partially applied: ${present.join(', ')} exist${present.length === 1 ? 's' : ''} on models but ${missing.join(', ')} do${missing.length === 1 ? 'es' : ''} not, and _prisma_migrations has no row for ${TIER_MIGRATION}. Applying it would fail with "column already exists" (the guide's troubleshooting case).`,
      hint: `Restore the backup taken before the migration (tierctl restore MANIFEST), or complete the missing parts by hand, check with \`tierctl migrate status\`, and then record it: \`tierctl migrate resolve --applied ${TIER_MIGRATION}\`.`,
    }];
  }
  if (tier.state === 'present' && !recorded) {
    return [{
      code: 'tier_schema_unrecorded',
      level: 'error',
      message: `The tier columns and indexes all exist, but _prisma_migrations has no applied row for ${TIER_MIGRATION} (applied by hand?). Applying it would fail with "column already exists".`,
      hint: `Check that the columns have the guide's types and defaults (\\d models), then record the migration without running it: \`tierctl migrate resolve --applied ${TIER_MIGRATION}\`.`,
    }];
  }
  if (tier.state !== 'present' && recorded) {
    return [{
      code: 'tier_schema_drift',
      level: 'error',
      message: `_prisma_migrations says ${TIER_MIGRATION} is applied, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing from the database (drift).`,
      hint: tier.state === 'absent' ? MANUAL_ROLLBACK_HINT : PARTIAL_MANUAL_ROLLBACK_HINT,
    }];
  }
  return [];
}

/** The first line of the database error in a failed row's logs. */
export function firstErrorLine(logs: string): string {
  const lines = logs.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(ERROR:|Error querying the database)/.test(l)) ?? lines.find((l) => /error/i.test(l)) ?? lines[0] ?? '';
}

/** The problems `migrate apply` refuses on (error-level, an edited applied migration, migrations missing locally when some are pending). */
export function applyBlockers(problems: readonly MigrationProblem[], pendingCount: number): MigrationProblem[] {
  return problems.filter((p) => p.level === 'error' || p.code === 'migration_modified' || (p.code === 'missing_locally' && pendingCount > 0));
}

/** The problem as a refusal (exit 4): apply and rollback stop before changing anything. */
export const refusal = (p: MigrationProblem): Failure =>
  failure(p.code, `${p.prisma ? `${p.prisma}: ` : ''}${p.message}`, ExitCode.refused, { hint: p.hint });
