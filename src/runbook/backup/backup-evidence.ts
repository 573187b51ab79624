import { dirname, join } from 'node:path';
import { databaseIdentity, describeIdentity, sameDatabase, type DatabaseIdentity } from '../../db/database-identity.js';
import { dumpTierValues, type DumpTierValues } from '../../db/dump/dump-tier-values.js';
import { directPgTool } from '../../db/dump/pg-tools.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../../shared/failure.js';
import type { Reporter } from '../../shared/reporter.js';
import type { BackupManifest } from './backup-manifest.js';
import { checkBackup } from './check-backup.js';

/**
 * Whether a backup written by `tierctl backup` can stand in for `--accept-loss` when a
 * rollback drops tier data: it verifies (`tierctl backup verify`: every file with its
 * recorded SHA-256 and size, `pg_restore --list` reads the dump with the same table of
 * contents), it is a backup of this very database (identity, not name), and what its dump
 * holds for `models` is read from the dump itself. Whether those values are the ones that
 * would be dropped is the data-loss guard's question (tier-coverage.ts).
 */
export interface BackupEvidence {
  readonly manifest: string;
  readonly dump: string;
  readonly createdAt: Date;
  readonly database: string;
  readonly identity: DatabaseIdentity;
  readonly sha256: string;
  readonly size: number;
  /** The models' tier values in the dump (null: the dump's models has no tier column). */
  readonly tierValues: DumpTierValues;
}

/** Refuses (exit 4) a manifest that is not of the database `live` is: by identity, naming both. */
export function checkBackupIdentity(manifestPath: string, m: BackupManifest, live: DatabaseIdentity): Result<DatabaseIdentity> {
  if (!m.identity) {
    return err(failure('backup_identity_unknown', `${manifestPath} does not record which database it was taken from (cluster system identifier, database oid): it cannot be proven to be a backup of ${describeIdentity(live)}`, ExitCode.refused, {
      hint: 'Take a new backup with this tierctl (tierctl backup), or restore into a new database (tierctl restore --to-database NAME).',
    }));
  }
  if (!sameDatabase(m.identity, live)) {
    return err(failure('backup_other_database', `${manifestPath} is a backup of database ${describeIdentity(m.identity)}, not of ${describeIdentity(live)}: refusing, nothing changed`, ExitCode.refused, {
      hint: 'Use a backup of this database; to look at that backup, restore it into a new database (tierctl restore --to-database NAME).',
    }));
  }
  return ok(m.identity);
}

export async function checkBackupEvidence(
  manifestPath: string,
  expected: { readonly identity: DatabaseIdentity; readonly schema: string },
  deps: { readonly reporter: Reporter; readonly signal?: AbortSignal },
): Promise<Result<BackupEvidence>> {
  const verified = await checkBackup({ manifestPath }, deps);
  if (!verified.ok) return verified;
  const m = verified.value.manifest;
  const identity = checkBackupIdentity(manifestPath, m, expected.identity);
  if (!identity.ok) return identity;
  // Partial (some tier columns dropped by hand): the dump holds the columns that were left, and
  // only those are compared with the live ones (tier-coverage.ts); absent: nothing to hold.
  if (m.tierSchema === 'absent') {
    return err(failure('backup_without_tier_data', `${manifestPath} was taken when the tier columns were absent: it holds no tier settings`, ExitCode.refused));
  }
  const dump = join(dirname(manifestPath), m.files.dump.name);
  const values = await dumpTierValues(await directPgTool('pg_restore'), dump, expected.schema, deps.signal);
  if (!values.ok) return values;
  return ok({ manifest: manifestPath, dump, createdAt: new Date(m.createdAt), database: m.database, identity: identity.value, sha256: m.files.dump.sha256, size: m.files.dump.size, tierValues: values.value });
}

export { databaseIdentity };
