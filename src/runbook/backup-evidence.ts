import { dirname, join } from 'node:path';
import { ExitCode } from '../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../shared/failure.js';
import type { Reporter } from '../shared/reporter.js';
import { verifyBackup } from './verify-backup.js';

/**
 * Whether a backup written by `tierctl backup` can stand in for `--accept-loss` when a
 * rollback drops tier data: it verifies (`tierctl backup verify`: every file with its
 * recorded SHA-256 and size, `pg_restore --list` reads the dump with the same table of
 * contents), it is a backup of this database, and it was taken with the tier columns in
 * place. Whether it is newer than the data is the data-loss guard's question (createdAt).
 */
export interface BackupEvidence {
  readonly manifest: string;
  readonly dump: string;
  readonly createdAt: Date;
  readonly database: string;
  readonly sha256: string;
  readonly size: number;
}

export async function verifyBackupEvidence(
  manifestPath: string,
  expected: { readonly database: string },
  deps: { readonly reporter: Reporter; readonly signal?: AbortSignal },
): Promise<Result<BackupEvidence>> {
  const verified = await verifyBackup({ manifestPath }, deps);
  if (!verified.ok) return verified;
  const m = verified.value.manifest;
  if (m.database !== expected.database) {
    return err(failure('backup_other_database', `${manifestPath} is a backup of database "${m.database}", not of "${expected.database}"`, ExitCode.refused));
  }
  if (m.tierSchema !== 'present') {
    return err(failure('backup_without_tier_data', `${manifestPath} was taken when the tier columns were ${m.tierSchema}: it holds no tier settings`, ExitCode.refused));
  }
  return ok({ manifest: manifestPath, dump: join(dirname(manifestPath), m.files.dump.name), createdAt: new Date(m.createdAt), database: m.database, sha256: m.files.dump.sha256, size: m.files.dump.size });
}
