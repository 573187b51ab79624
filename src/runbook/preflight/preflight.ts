import { statfs } from 'node:fs/promises';
import type pg from 'pg';
import { missingApiTables, missingApiTablesFailure } from '../../db/missing-api-tables.js';
import { readLedger } from '../../db/migrations/ledger.js';
import { migrationStatus } from '../../db/migrations/migration-status.js';
import { connectClient } from '../../db/pg-connect.js';
import { checkToolCanDump, pgToolVersion, type PgVersion } from '../../db/dump/pg-tools.js';
import { requireSession } from '../../db/pooler-check.js';
import { quoteIdent } from '../../db/sql.js';
import { listTables } from '../../db/table-counts.js';
import { tierSchemaState } from '../../db/tier-columns.js';
import { ok, type Result } from '../../shared/failure.js';
import { sessionRedacted, sessionUrl, type DatabaseTarget } from '../../shared/database-target.js';
import type { Reporter } from '../../shared/reporter.js';
import { checkBackupDir } from '../backup/backup-files.js';
import { readServerVersion } from '../backup/backup-state.js';
import { preflightCheck, formatBytes, type PreflightCheck } from './preflight-check.js';
import { loadMigrationSet } from '../migrate/migration-state.js';
import { downSqlCheck } from './preflight-down-sql.js';
import { alterPrivilegeCheck, ledgerCheck, schemaStateCheck } from './preflight-schema.js';
import { longTransactionCheck, migrationLockCheck, modelsLockCheck } from './preflight-sessions.js';

/**
 * `tierctl preflight`: can this deployment go ahead? Every check is ok, a warning, or a
 * blocker; any blocker means no (the CLI exits 1). An unreachable database is not a
 * check but a Failure (exit 3): nothing else can be known.
 */
export interface PreflightOptions {
  readonly database: DatabaseTarget;
  /** Where the backup will be written (free space is checked there). Default `.`. */
  readonly backupDir?: string;
  readonly pgDump?: string;
  /** A transaction open longer than this is reported (default 60 s). */
  readonly longTransactionMs?: number;
  /** The migrations the deployment will apply (default: the package's). */
  readonly migrationsDir?: string;
}

export interface PreflightReport {
  readonly target: string;
  readonly ready: boolean;
  readonly blockers: number;
  readonly warnings: number;
  readonly checks: readonly PreflightCheck[];
}

async function pgDumpCheck(pgDump: string, server: PgVersion, signal?: AbortSignal): Promise<PreflightCheck> {
  const title = 'pg_dump';
  const version = await pgToolVersion(pgDump, signal ? { signal } : {});
  if (!version.ok) return preflightCheck('pg-dump', title, 'blocker', `${version.failure.message}: the backup (guide step 4) cannot be taken`, version.failure.hint ? { hint: version.failure.hint } : {});
  const fits = checkToolCanDump(pgDump, version.value, server);
  if (!fits.ok) return preflightCheck('pg-dump', title, 'blocker', fits.failure.message, fits.failure.hint ? { hint: fits.failure.hint } : {});
  return preflightCheck('pg-dump', title, 'ok', `${pgDump} ${version.value.text} can dump server ${server.text}`);
}

/** The migration's lock and the backup need a session: a transaction pooler without DIRECT_URL blocks. */
async function sessionCheck(database: DatabaseTarget): Promise<PreflightCheck> {
  const title = 'Session connection';
  const r = await requireSession(database, 'The migration (its advisory lock) and the backup');
  if (!r.ok) return preflightCheck('session', title, 'blocker', r.failure.message, r.failure.hint ? { hint: r.failure.hint } : {});
  return preflightCheck('session', title, 'ok', database.directSource ? `${database.directSource} is a session of its own (no pooler seen)` : 'DATABASE_URL is a session of its own (no pooler seen)');
}

async function diskSpaceCheck(dir: string, databaseBytes: number): Promise<PreflightCheck> {
  const title = 'Backup directory space';
  const usable = await checkBackupDir(dir);
  if (!usable.ok) return preflightCheck('backup-space', title, 'blocker', usable.failure.message, usable.failure.hint ? { hint: usable.failure.hint } : {});
  const fs = await statfs(dir);
  const free = Number(fs.bavail) * Number(fs.bsize);
  const message = `${formatBytes(free)} free in ${dir}; database size ${formatBytes(databaseBytes)}`;
  if (free >= databaseBytes) return preflightCheck('backup-space', title, 'ok', message);
  // A custom-format dump is compressed and holds no index data: usually far smaller than the database.
  if (free >= databaseBytes / 10) {
    return preflightCheck('backup-space', title, 'warn', `${message}: the dump is compressed and usually fits, but may not`, { hint: 'Free space or pick another --backup-dir to be sure.' });
  }
  return preflightCheck('backup-space', title, 'blocker', `${message}: not enough room for the backup`, { hint: 'Free space or pick another --backup-dir.' });
}

/** No `models` table: not the API's database (or ?schema=), or not migrated at all; the tier deployment has nothing to change there. */
async function modelCountCheck(client: pg.ClientBase, schema: string, database: string): Promise<PreflightCheck> {
  const missing = await missingApiTables(client, schema);
  if (missing.includes('models')) {
    const f = missingApiTablesFailure(database, schema, missing);
    return preflightCheck('model-count', 'Models', 'blocker', f.message, { hint: `${f.hint} A new installation: tierctl migrate apply creates the API's tables first.` });
  }
  const count = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(schema)}.models`)).rows[0]!.n);
  return count === 0 ? preflightCheck('model-count', 'Models', 'warn', 'The models table is empty: there is nothing to assign tiers to') : preflightCheck('model-count', 'Models', 'ok', `${count} models`);
}

export async function preflight(options: PreflightOptions, deps: { reporter: Reporter; signal?: AbortSignal }): Promise<Result<PreflightReport>> {
  // Lock and session inspection needs to see the server as a session does: the direct URL.
  const target = sessionRedacted(options.database);
  const set = await loadMigrationSet(options.migrationsDir);
  if (!set.ok) return set;
  const step = deps.reporter.step(`preflight ${target}`);
  const connected = await connectClient(sessionUrl(options.database));
  if (!connected.ok) {
    step.fail(connected.failure.message);
    return connected;
  }
  const client = connected.value;
  const { schema } = options.database;
  try {
    const server = await readServerVersion(client);
    const { rows } = await client.query<{ size: string }>('SELECT pg_database_size(current_database())::bigint AS size');
    const databaseBytes = Number(rows[0]!.size);
    const [files, ledger, tier, tables] = [set.value.files, await readLedger(client, schema), await tierSchemaState(client, schema), await listTables(client)];
    const status = migrationStatus(files, ledger);
    const checks: PreflightCheck[] = [
      preflightCheck('connectivity', 'Connectivity', 'ok', `Connected to ${target}`),
      preflightCheck('server-version', 'Server version', 'ok', `PostgreSQL ${server.text}`),
      await sessionCheck(options.database),
      await pgDumpCheck(options.pgDump ?? 'pg_dump', server, deps.signal),
      await alterPrivilegeCheck(client, schema),
      schemaStateCheck(tier, status, tables.length, set.value.dir),
      ledgerCheck(status, tables.length, set.value.dir),
      await downSqlCheck(client, schema, files, status, set.value.dir),
      await migrationLockCheck(client),
      await modelsLockCheck(client, schema),
      await longTransactionCheck(client, options.longTransactionMs ?? 60_000),
      await diskSpaceCheck(options.backupDir ?? '.', databaseBytes),
      await modelCountCheck(client, schema, target),
    ];
    const blockers = checks.filter((c) => c.status === 'blocker').length;
    const warnings = checks.filter((c) => c.status === 'warn').length;
    if (blockers > 0) step.fail(`${blockers} blocker(s), ${warnings} warning(s)`);
    else step.succeed(`${warnings} warning(s)`);
    return ok({ target, ready: blockers === 0, blockers, warnings, checks });
  } finally {
    await client.end().catch(() => {});
  }
}
