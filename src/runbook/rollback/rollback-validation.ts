import { databaseIdentity } from '../../db/database-identity.js';
import { withMigrationSession } from '../../db/migrations/migration-session.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, ok, type Result } from '../../shared/failure.js';
import { missingApiTables, missingApiTablesFailure } from '../../db/missing-api-tables.js';
import { silentReporter } from '../../shared/reporter.js';
import { checkBackupIdentity } from '../backup/backup-evidence.js';
import { migrateDown, nothingAppliedAfter } from '../migrate/migrate-down.js';
import type { PhaseDone } from '../deploy/run-phase.js';
import { checkBackup } from '../backup/check-backup.js';
import type { RollbackOptions } from './rollback-procedure.js';

/** What the validation found: the manifests checked, and whether any migration is applied after the target. */
export interface RollbackValidation {
  readonly manifests: string[];
  /** No migration after `target` is applied (the tier migration is not, or no longer, there): the procedure has nothing to do. */
  readonly nothingToRollBack: boolean;
  readonly target: string | null;
}

/**
 * Safety rule 2 for `tierctl rollback`: everything it relies on is checked before its first
 * step (the stop hook) changes anything. Each manifest given (--backup, --restore): its
 * files and checksums, and that it is a backup of this very database (cluster system
 * identifier, database oid, name). Then the rollback itself, as a dry run: the data-loss
 * guard with the backup's contents (coverage), an edited down.sql. Any refusal is exit 4.
 */
export async function validateRollback(o: RollbackOptions, signal?: AbortSignal): Promise<Result<PhaseDone<RollbackValidation>>> {
  const deps = { reporter: silentReporter, ...(signal ? { signal } : {}) };
  const manifests = [...new Set([o.backupManifest, o.restoreManifest].filter((m): m is string => m !== undefined))];
  const live = await withMigrationSession(o.database, 'rollback', async (client, schema) => {
    const missing = await missingApiTables(client, schema);
    return missing.length > 0 ? err(missingApiTablesFailure(o.database.redacted, schema, missing)) : ok(await databaseIdentity(client));
  }, { plain: true });
  if (!live.ok) return live;
  const checked: string[] = [];
  for (const manifest of manifests) {
    const verified = await checkBackup({ manifestPath: manifest }, deps);
    if (!verified.ok) return verified;
    const same = checkBackupIdentity(manifest, verified.value.manifest, live.value);
    if (!same.ok) return same;
    checked.push(`${manifest} (${verified.value.files.length} files match, database ${same.value.database} oid ${same.value.databaseOid})`);
  }
  const dry = await migrateDown(
    {
      database: o.database, dryRun: true, acceptLoss: o.acceptLoss || Boolean(o.restoreManifest),
      ...(o.migrationsDir ? { migrationsDir: o.migrationsDir } : {}), ...(o.backupManifest ? { backupManifest: o.backupManifest } : {}), allowEditedDown: o.allowEditedDown ?? [],
    },
    deps,
  );
  if (!dry.ok) return dry;
  if (dry.value.refusal) return err({ ...dry.value.refusal, exitCode: ExitCode.refused, message: `${dry.value.refusal.message}\nNothing was changed (checked before the first step).` });
  const nothing = dry.value.plan.length === 0;
  const coverage = nothing ? `nothing to roll back: ${nothingAppliedAfter(dry.value.target)}` : `tier data: ${dry.value.allowedBy ?? 'nothing-to-lose'}`;
  return ok({ detail: `${checked.length > 0 ? checked.join('; ') : 'no backup given'}; ${coverage}`, data: { manifests, nothingToRollBack: nothing, target: dry.value.target } });
}
