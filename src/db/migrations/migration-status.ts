import { isApplied, isFailed, type LedgerRow } from './ledger.js';
import { migrationChecksum, type MigrationFile } from './migration-files.js';

/**
 * Per migration, in Prisma's terms:
 * - `applied`: a finished, not rolled-back ledger row whose checksum matches the file;
 * - `modified`: applied, but migration.sql was edited since (drift; Prisma's "modified");
 * - `failed`: a row with neither finished_at nor rolled_back_at (blocks deploy, Prisma P3009);
 * - `rolled_back`: no applied row, and tierctl rolled it back (its audit table says so);
 * - `pending`: not applied (what `migrate deploy` would run next).
 */
export type MigrationEntryState = 'applied' | 'modified' | 'failed' | 'rolled_back' | 'pending';

export interface MigrationStatusEntry {
  readonly name: string;
  readonly state: MigrationEntryState;
  readonly appliedAt: Date | null;
  /** The failed row's logs (the error text), for `failed`. */
  readonly logs: string | null;
  readonly hasDownSql: boolean;
}

export interface MigrationStatus {
  /** No `_prisma_migrations` table at all. */
  readonly ledgerMissing: boolean;
  readonly entries: readonly MigrationStatusEntry[];
  /** Applied in the database but absent from prisma/migrations (Prisma: migrationsDirectoryIsBehind). */
  readonly unknownInDatabase: readonly string[];
}

/** Prisma's `migrate status` tolerates the same text with other line endings. */
function sameText(file: MigrationFile, checksum: string): boolean {
  if (file.checksum === checksum) return true;
  const lf = file.sql.replaceAll('\r\n', '\n');
  return migrationChecksum(lf) === checksum || migrationChecksum(lf.replaceAll('\n', '\r\n')) === checksum;
}

/** Compares the migration files with the ledger (and tierctl's own rollback record). */
export function migrationStatus(files: readonly MigrationFile[], ledger: readonly LedgerRow[] | null, rolledBack: ReadonlySet<string> = new Set()): MigrationStatus {
  const rows = ledger ?? [];
  const entries = files.map((file): MigrationStatusEntry => {
    const mine = rows.filter((r) => r.migrationName === file.name);
    const applied = mine.find(isApplied);
    const failed = mine.find(isFailed);
    const base = { name: file.name, hasDownSql: file.downSql !== null, logs: null, appliedAt: null };
    if (failed) return { ...base, state: 'failed', logs: failed.logs };
    if (applied) return { ...base, state: sameText(file, applied.checksum) ? 'applied' : 'modified', appliedAt: applied.finishedAt };
    return { ...base, state: rolledBack.has(file.name) ? 'rolled_back' : 'pending' };
  });
  const known = new Set(files.map((f) => f.name));
  const unknownInDatabase = [...new Set(rows.filter((r) => isApplied(r) && !known.has(r.migrationName)).map((r) => r.migrationName))];
  return { ledgerMissing: ledger === null, entries, unknownInDatabase };
}
