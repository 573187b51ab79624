import type pg from 'pg';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Failure, type Result } from '../../shared/failure.js';
import { catalogObjects } from './catalog-objects.js';
import { removedBeyondMigration } from './down-sql-check.js';
import type { MigrationRecord } from './migration-records.js';
import { TIER_MIGRATION } from './migration-files.js';
import { lockedRelations, migrationErrorText, type RunOptions } from './migration-runner.js';
import { inMigrationTransaction } from './migration-transaction.js';
import { recordDowns, downAuditDdl } from './down-audit.js';
import { qualifiedTable } from './statement-locks.js';
import { modelsWithTierData, type ModelTierData } from './tier-data-loss.js';
import { tierSchemaState } from '../tier-columns.js';

export interface DownStep {
  readonly name: string;
  readonly checksum: string;
  readonly downSql: string;
  /** migration.sql: what the catalog check replays when there is no record of the apply. */
  readonly migrationSql: string;
  /** tierctl's record of the apply (what migration.sql added, down.sql's SHA-256); null when Prisma applied it. */
  readonly record: MigrationRecord | null;
}

export interface DownOptions extends RunOptions {
  /** The tier columns that exist, when the tier migration is among the steps (for the data-loss guard). */
  readonly tierColumns: readonly string[];
  /** Decides, inside the transaction and with models locked, whether these models' tier data may go. */
  readonly mayDrop: (models: readonly ModelTierData[]) => Failure | null;
  readonly reason: string | null;
}

export interface DownDone {
  readonly names: readonly string[];
  readonly attempts: number;
  /** BEGIN to COMMIT: the longest its locks (ACCESS EXCLUSIVE on models) were held. */
  readonly heldMs: number;
  /** The models whose non-default tier values were dropped (allowed by --accept-loss or a backup). */
  readonly droppedTierData: readonly ModelTierData[];
}

/**
 * Rolls back `steps` (newest first) in ONE transaction: each down.sql, checked against what
 * its migration added (the catalog before and after it: anything else removed or changed
 * aborts, exit 4); right before the first down.sql that names models (at the latest the tier
 * migration's), models is locked and the data-loss guard re-checked; then the tier columns
 * and indexes must be gone (guide rollback step 6), and the migrations' `_prisma_migrations`
 * rows are deleted and entries written in tierctl's audit table. Any error or a kill leaves
 * the database as it was. What needs no lock on models runs before the lock is taken, so
 * the lock is held for the down.sql files that need it, their catalog checks and the commit.
 */
export async function runDownMigrations(client: pg.ClientBase, schema: string, steps: readonly DownStep[], options: DownOptions): Promise<Result<DownDone>> {
  const tier = steps.some((s) => s.name === TIER_MIGRATION);
  const models = qualifiedTable('models', schema);
  const relations = [...steps.flatMap((s) => lockedRelations(s.downSql, schema)), ...(tier ? [models] : [])];
  const what = `roll back ${steps.map((s) => s.name).join(', ')}`;
  let current = steps[0]?.name ?? '';
  try {
    const done = await inMigrationTransaction(client, { ...options, relations, what }, async (tx) => {
      // What needs no lock on models comes first: the catalog before, the audit table, and
      // the down.sql files (with their catalog checks) that come before the first one naming models.
      let catalog = await catalogObjects(tx, schema);
      await tx.query(downAuditDdl(schema));
      let dropped: ModelTierData[] = [];
      let locked = !tier;
      for (const step of steps) {
        current = step.name;
        if (!locked && (step.name === TIER_MIGRATION || lockedRelations(step.downSql, schema).some((r) => r.schema === models.schema && r.table === models.table))) {
          // Locks models and re-checks the data-loss guard before anything drops its columns.
          locked = true;
          dropped = await modelsWithTierData(tx, schema, options.tierColumns, { lock: true });
          const refusal = options.mayDrop(dropped);
          if (refusal) return err(refusal);
        }
        await tx.query(step.downSql);
        const after = await catalogObjects(tx, schema);
        const beyond = await removedBeyondMigration(tx, schema, step, catalog, after);
        if (!beyond.ok) return beyond;
        catalog = after;
      }
      if (tier) {
        const after = await tierSchemaState(tx, schema);
        if (after.state !== 'absent') {
          return err(failure('tier_schema_not_removed', `After the down.sql files, models still has ${[...after.columns, ...after.indexes].join(', ')} (guide rollback step 6). Rolled back: nothing changed.`, ExitCode.failed));
        }
      }
      // The ledger rows go and the audit entries are written in one statement (one round trip while models is locked).
      await recordDowns(
        tx,
        schema,
        steps.map((step) => ({ migrationName: step.name, checksum: step.checksum, reason: options.reason, modelsWithTierData: step.name === TIER_MIGRATION ? dropped.length : 0 })),
      );
      return ok(dropped);
    });
    if (!done.ok) return done;
    return ok({ names: steps.map((s) => s.name), attempts: done.value.attempts, heldMs: done.value.heldMs, droppedTierData: done.value.value });
  } catch (e) {
    if (typeof (e as { severity?: unknown }).severity !== 'string') throw e;
    return err(failure('rollback_failed', `Could not ${what}: ${current}'s down.sql failed and the transaction was rolled back, nothing changed.\n\n${migrationErrorText(current, e)}`, ExitCode.failed, { hint: 'Fix the down.sql (or the state that makes it fail) and run again.' }));
  }
}
