import { dirname, join } from 'node:path';
import { withClient } from '../../db/pg-connect.js';
import { execPg } from '../../db/dump/pg-tools.js';
import { requireSession } from '../../db/pooler-check.js';
import { quoteIdent } from '../../db/sql.js';
import { exactRowCounts } from '../../db/table-counts.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, unwrap, type Result } from '../../shared/failure.js';
import { onDatabase, sessionRedacted, sessionUrl, type DatabaseTarget } from '../../shared/database-target.js';
import type { Reporter } from '../../shared/reporter.js';
import type { BackupManifest } from './backup-manifest.js';
import { checkBackup } from './check-backup.js';
import { checkBackupIdentity } from './backup-evidence.js';
import { databaseIdentity } from '../../db/database-identity.js';

/**
 * The guide's rollback step 3, made safe: verify the backup against its manifest (refuse
 * a mismatch, exit 4), show what will be replaced and get confirmation, restore with
 * `pg_restore --clean --if-exists --single-transaction` (a failure changes nothing) into
 * the target or into a NEW database (`toDatabase`, created, refused if it exists), then
 * compare exact row counts with the manifest (a difference is exit 1).
 */
export interface RestoreOptions {
  readonly manifestPath: string;
  /** pg_restore runs on a session: the direct URL when there is one. */
  readonly database: DatabaseTarget;
  /** Restore into this new database on the same server instead of the URL's database. */
  readonly toDatabase?: string;
  readonly pgRestore?: string;
  /** pg_restore --no-owner: objects owned by the restoring user (for a server without the original roles). */
  readonly noOwner?: boolean;
  /** lock_timeout for the restore's session, so a busy table fails fast instead of hanging (default 30 s). */
  readonly lockTimeoutMs?: number;
}

export interface RestorePlan {
  readonly manifest: BackupManifest;
  readonly dumpPath: string;
  /** The target, password redacted. */
  readonly target: string;
  readonly database: string;
  readonly createsDatabase: boolean;
  /** Each table in the backup: its rows in the target now (null: absent) and in the backup. */
  readonly tables: readonly { readonly table: string; readonly currentRows: number | null; readonly backupRows: number }[];
  /** Tables in the target that the backup does not have: pg_restore leaves them as they are. */
  readonly leftInPlace: readonly string[];
}

export interface RestoreDeps {
  readonly reporter: Reporter;
  readonly signal?: AbortSignal;
  /** Asked before anything is written; false refuses (exit 4). */
  readonly confirm: (plan: RestorePlan) => Promise<boolean>;
}

export interface RestoreReport {
  readonly plan: RestorePlan;
  readonly counts: readonly { readonly table: string; readonly expected: number; readonly actual: number | null }[];
}

/** A libpq conninfo naming only the database, so that a name like `a=b` or a URI is not reinterpreted. */
const conninfoDbname = (name: string) => `dbname='${name.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

async function makePlan(options: RestoreOptions, manifest: BackupManifest, dumpPath: string): Promise<Result<RestorePlan>> {
  return withClient(sessionUrl(options.database), async (client): Promise<Result<RestorePlan>> => {
    const database = options.toDatabase ?? (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
    const backupTables = Object.entries(manifest.rowCounts);
    if (options.toDatabase !== undefined) {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.toDatabase]);
      if (exists.rowCount) {
        return err(failure('target_database_exists', `Database "${options.toDatabase}" already exists: --to-database only restores into a new database`, ExitCode.refused, {
          hint: 'Pick a name that does not exist, or restore into it without --to-database (replacing its contents).',
        }));
      }
      const tables = backupTables.map(([table, backupRows]) => ({ table, currentRows: null, backupRows }));
      return ok({ manifest, dumpPath, target: sessionRedacted(onDatabase(options.database, options.toDatabase)), database, createsDatabase: true, tables, leftInPlace: [] });
    }
    // Restoring over a database replaces it: only with a backup of this very database (identity, not name).
    const identity = checkBackupIdentity(options.manifestPath, manifest, await databaseIdentity(client));
    if (!identity.ok) return identity;
    const current = await exactRowCounts(client);
    const tables = backupTables.map(([table, backupRows]) => ({ table, currentRows: current[table] ?? null, backupRows }));
    const leftInPlace = Object.keys(current).filter((t) => !(t in manifest.rowCounts));
    return ok({ manifest, dumpPath, target: sessionRedacted(options.database), database, createsDatabase: false, tables, leftInPlace });
  }).then((r) => (r.ok ? r.value : r));
}

async function adminQuery(url: string, sql: string): Promise<void> {
  unwrap(await withClient(url, (c) => c.query(sql)));
}

export async function restoreBackup(options: RestoreOptions, deps: RestoreDeps): Promise<Result<RestoreReport>> {
  const verified = await checkBackup({ manifestPath: options.manifestPath, ...(options.pgRestore ? { pgRestore: options.pgRestore } : {}) }, deps);
  if (!verified.ok) return verified;
  const session = await requireSession(options.database, 'tierctl restore (pg_restore)');
  if (!session.ok) return session;
  const manifest = verified.value.manifest;
  const dumpPath = join(dirname(options.manifestPath), manifest.files.dump.name);
  const planned = await makePlan(options, manifest, dumpPath);
  if (!planned.ok) return planned;
  const plan = planned.value;
  if (!(await deps.confirm(plan))) return err(failure('not_confirmed', `Not confirmed: did not restore into ${plan.target}.`, ExitCode.refused));
  const targetUrl = sessionUrl(options.toDatabase !== undefined ? onDatabase(options.database, options.toDatabase) : options.database);
  if (plan.createsDatabase) await adminQuery(sessionUrl(options.database), `CREATE DATABASE ${quoteIdent(plan.database)} TEMPLATE template0`);
  const step = deps.reporter.step(`pg_restore ${manifest.files.dump.name} -> ${plan.target} (one transaction)`);
  const args = [
    `--dbname=${conninfoDbname(plan.database)}`,
    ...(plan.createsDatabase ? [] : ['--clean', '--if-exists']),
    '--single-transaction',
    '--exit-on-error',
    '--no-password',
    ...(options.noOwner ? ['--no-owner'] : []),
    dumpPath,
  ];
  const restored = await execPg(options.pgRestore ?? 'pg_restore', args, targetUrl, {
    env: { PGOPTIONS: `-c lock_timeout=${options.lockTimeoutMs ?? 30_000}` },
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (!restored.ok) {
    step.fail();
    if (plan.createsDatabase) await adminQuery(sessionUrl(options.database), `DROP DATABASE IF EXISTS ${quoteIdent(plan.database)} WITH (FORCE)`).catch(() => {});
    const f = restored.failure;
    const nothing = plan.createsDatabase ? `the new database ${plan.database} was dropped again` : `${plan.target} is unchanged`;
    return err({ ...f, message: `Restore failed, rolled back as one transaction (${nothing}):\n  ${f.message}`, hint: 'Lock timeouts mean another session uses these tables: stop the backend first (guide rollback step 1).' });
  }
  step.succeed();
  const after = await withClient(targetUrl, exactRowCounts);
  if (!after.ok) return after;
  const counts = plan.tables.map(({ table, backupRows }) => ({ table, expected: backupRows, actual: after.value[table] ?? null }));
  const wrong = counts.filter((c) => c.actual !== c.expected);
  if (wrong.length > 0) {
    const problems = wrong.map((c) => `${c.table}: ${c.actual ?? 'missing'} rows, backup had ${c.expected}`);
    return err(failure('restore_count_mismatch', `Restored, but row counts differ from the backup's:\n  ${problems.join('\n  ')}`, ExitCode.failed, { problems }));
  }
  for (const t of plan.leftInPlace) deps.reporter.warn(`${t} is not in the backup and was left as it is`);
  return ok({ plan, counts });
}
