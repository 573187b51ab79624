import type pg from 'pg';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Failure, type Result } from '../../shared/failure.js';
import { catalogObjects, diffCatalog } from './catalog-objects.js';
import { finishRow, insertFailedRow, insertStartedRow } from './ledger-writes.js';
import { ensureMigrationRecords, insertMigrationRecord, sha256 } from './migration-records.js';
import { TIER_MIGRATION, type MigrationFile } from './migration-files.js';
import { inMigrationTransaction, type MigrationTransactionOptions } from './migration-transaction.js';
import { qualifiedTable, statementLocks } from './statement-locks.js';
import { tierSchemaState } from '../tier-columns.js';

export interface AppliedMigration {
  readonly name: string;
  readonly checksum: string;
  /** The ledger row's id. */
  readonly id: string;
  readonly attempts: number;
  /** BEGIN to COMMIT: the longest the migration's locks (ACCESS EXCLUSIVE for ALTER TABLE) were held. */
  readonly heldMs: number;
}

export type RunOptions = Pick<MigrationTransactionOptions, 'lockTimeoutMs' | 'retries' | 'backoffMs' | 'signal' | 'onRetry'>;

/** The relations a script locks, qualified with `schema`: whose sessions to name when it cannot get its locks. */
export const lockedRelations = (sql: string, schema: string) =>
  statementLocks(sql).flatMap((s) => (s.lock ? s.relations.map((r) => qualifiedTable(r, schema)) : []));

/** A database error as Prisma's P3018 shows it, and as it goes in the failed row's `logs`. */
export function migrationErrorText(name: string, e: unknown): string {
  const d = e as { code?: string; message?: string; detail?: string; hint?: string; position?: string; where?: string };
  return [
    `Migration name: ${name}`,
    '',
    `Database error code: ${d.code ?? 'unknown'}`,
    '',
    'Database error:',
    `ERROR: ${d.message ?? String(e)}`,
    ...(d.detail ? [`DETAIL: ${d.detail}`] : []),
    ...(d.hint ? [`HINT: ${d.hint}`] : []),
    ...(d.where ? [`CONTEXT: ${d.where}`] : []),
    ...(d.position ? [`POSITION: ${d.position} (character in migration.sql)`] : []),
  ].join('\n');
}

const isDatabaseError = (e: unknown): boolean => typeof (e as { severity?: unknown }).severity === 'string' && typeof (e as { code?: unknown }).code === 'string';

/**
 * Applies one migration in ONE transaction: SET LOCAL lock_timeout, the ledger row
 * (started), the whole migration.sql with tierctl's record of it (the catalog before and
 * after, down.sql's SHA-256, the run that applied it), for the tier migration a check that its columns and
 * indexes are all there, and the row's completion (finished_at, applied_steps_count = 1).
 * A crash at any instant leaves all of it or none of it, never an open row.
 *
 * When the SQL itself fails, the transaction is rolled back (nothing of the migration is
 * left) and the failure is then recorded as Prisma records it — a row with finished_at
 * NULL and the error in logs — in its own statement: like Prisma's, it stops further
 * applies (P3009) until an operator has looked and run `migrate resolve`. A lock timeout
 * is not a failure of the migration and records nothing.
 */
export async function applyMigration(client: pg.ClientBase, schema: string, file: MigrationFile, options: RunOptions & { readonly runId?: string | null }): Promise<Result<AppliedMigration>> {
  let startedAt: Date | null = null;
  try {
    const done = await inMigrationTransaction(
      client,
      { ...options, relations: lockedRelations(file.sql, schema), what: `apply ${file.name}` },
      async (tx) => {
        const row = await insertStartedRow(tx, schema, file);
        startedAt = row.startedAt;
        await ensureMigrationRecords(tx, schema);
        const before = await catalogObjects(tx, schema);
        await tx.query(file.sql);
        const catalogDiff = diffCatalog(before, await catalogObjects(tx, schema));
        await insertMigrationRecord(tx, schema, { ledgerId: row.id, migrationName: file.name, runId: options.runId ?? null, downSha256: file.downSql === null ? null : sha256(file.downSql), catalogDiff });
        if (file.name === TIER_MIGRATION) {
          const tier = await tierSchemaState(tx, schema);
          if (tier.state !== 'present') return err(incomplete(file.name, tier.columns, tier.indexes));
        }
        await finishRow(tx, schema, row.id);
        return ok(row.id);
      },
    );
    if (!done.ok) return done;
    return ok({ name: file.name, checksum: file.checksum, id: done.value.value, attempts: done.value.attempts, heldMs: done.value.heldMs });
  } catch (e) {
    if (!isDatabaseError(e)) throw e;
    const logs = migrationErrorText(file.name, e);
    const recorded = await insertFailedRow(client, schema, file, startedAt ?? new Date(), `${logs}\n\nRecorded by tierctl: the migration ran in one transaction, which was rolled back; none of it is in the database.`)
      .then(() => true)
      .catch(() => false);
    return err(
      failure(
        'migration_failed',
        `A migration failed to apply. New migrations cannot be applied before the error is recovered from.\n\n${logs}\n\n` +
          `The transaction was rolled back: nothing of ${file.name} is in the database.` +
          (recorded ? ' The failure is recorded in _prisma_migrations, as Prisma records it.' : ' (Recording the failure in _prisma_migrations failed too.)'),
        ExitCode.failed,
        { hint: `Fix the cause, then \`tierctl migrate resolve --rolled-back ${file.name}\` and apply again (https://pris.ly/d/migrate-resolve).` },
      ),
    );
  }
}

function incomplete(name: string, columns: readonly string[], indexes: readonly string[]): Failure {
  return failure(
    'tier_schema_incomplete',
    `${name} ran, but afterwards models has columns [${columns.join(', ')}] and indexes [${indexes.join(', ')}], not all three columns and both indexes of the guide (step 5). Rolled back: nothing changed.`,
    ExitCode.failed,
    { hint: 'migration.sql does not do what the guide says: check it against the guide\'s step 5.' },
  );
}
