import type pg from 'pg';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../../shared/failure.js';
import { beyondMigration, catalogObjects, describeDiff, diffCatalog, isEmptyDiff, type CatalogDiff, type CatalogObjects } from './catalog-objects.js';
import type { DownStep } from './down-runner.js';

/**
 * Safety rule 4: a rollback removes only what its migration added. Called inside the
 * rollback transaction right after `step`'s down.sql ran, with the catalog from before and after it.
 * What the migration did comes from tierctl's record of the apply; a migration Prisma
 * applied (no record) has its migration.sql replayed in a savepoint on the rolled-back
 * catalog instead, and what it creates there is what down.sql may remove. Anything else
 * removed, changed or added refuses (exit 4); the caller's transaction then rolls back.
 */
export async function removedBeyondMigration(tx: pg.ClientBase, schema: string, step: DownStep, before: CatalogObjects, after: CatalogObjects): Promise<Result<CatalogDiff>> {
  const did = diffCatalog(before, after);
  const migration = step.record ? ok(step.record.catalogDiff) : await replayMigration(tx, schema, step, after);
  if (!migration.ok) return migration;
  const beyond = beyondMigration(did, migration.value);
  if (isEmptyDiff(beyond)) return ok(did);
  const lines = describeDiff(beyond);
  const source = step.record ? 'recorded when tierctl applied it' : 'what its migration.sql creates, replayed on the rolled-back schema (applied without a tierctl record)';
  return err(
    failure('down_sql_beyond_migration', `Refusing: ${step.name}/down.sql does more than undo its migration (${source}):\n  ${lines.join('\n  ')}\nRolled back: nothing changed.`, ExitCode.refused, {
      hint: 'Fix down.sql so it drops only what migration.sql added, or restore the backup taken before the migration (tierctl restore).',
      problems: lines,
    }),
  );
}

/** What `step`'s migration.sql does to the catalog `from`, run in a savepoint that is rolled back. */
async function replayMigration(tx: pg.ClientBase, schema: string, step: DownStep, from: CatalogObjects): Promise<Result<CatalogDiff>> {
  await tx.query('SAVEPOINT tierctl_replay');
  try {
    await tx.query(step.migrationSql);
    return ok(diffCatalog(from, await catalogObjects(tx, schema)));
  } catch (e) {
    return err(
      failure('down_sql_unchecked', `Refusing: cannot tell what ${step.name} added (its migration.sql fails on the rolled-back schema: ${(e as Error).message}), so its down.sql cannot be checked. Rolled back: nothing changed.`, ExitCode.refused, {
        hint: 'Restore the backup taken before the migration (tierctl restore), or fix the schema by hand.',
      }),
    );
  } finally {
    await tx.query('ROLLBACK TO SAVEPOINT tierctl_replay');
    await tx.query('RELEASE SAVEPOINT tierctl_replay');
  }
}
