import type pg from 'pg';
import { isApplied, isFailed, readLedger } from '../../db/migrations/ledger.js';
import { modelsCsv } from '../../db/dump/models-csv.js';
import { serverVersion, type PgVersion } from '../../db/dump/pg-tools.js';
import { exactRowCounts } from '../../db/table-counts.js';
import { databaseIdentity, type DatabaseIdentity } from '../../db/database-identity.js';
import { tierSchemaState } from '../../db/tier-columns.js';
import type { BackupManifest } from './backup-manifest.js';

/** What the manifest records about the database, read in the dump's own snapshot. */
export interface DatabaseState {
  readonly database: string;
  readonly identity: DatabaseIdentity;
  readonly sizeBytes: number;
  readonly rowCounts: Record<string, number>;
  readonly ledger: BackupManifest['ledger'];
  readonly tierSchema: BackupManifest['tierSchema'];
  /** The guide's models CSV, or null when there is no `models` table. */
  readonly modelsCsv: { readonly csv: string; readonly rows: number } | null;
}

export async function readServerVersion(client: pg.ClientBase): Promise<PgVersion> {
  const { rows } = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
  return serverVersion(Number(rows[0]!.v));
}

/**
 * Opens a REPEATABLE READ, READ ONLY transaction and exports its snapshot, so that
 * pg_dump (`--snapshot`) and the counts and CSV read here see exactly the same data; the
 * server's version comes in the same round trip. The caller ends the transaction (or the
 * connection) once pg_dump is done.
 */
export async function exportSnapshot(client: pg.ClientBase): Promise<{ readonly snapshot: string; readonly server: PgVersion }> {
  const results = (await client.query(
    `BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT pg_export_snapshot() AS id, current_setting('server_version_num') AS v`,
  )) as unknown as pg.QueryResult<{ id: string; v: string }>[];
  const row = results[1]!.rows[0]!;
  return { snapshot: row.id, server: serverVersion(Number(row.v)) };
}

/** Last applied migration (Prisma's order: by name), every applied one, and failed ones. */
export async function ledgerSummary(client: pg.ClientBase, schema: string): Promise<BackupManifest['ledger']> {
  const rows = await readLedger(client, schema);
  if (rows === null) return { present: false, lastApplied: null, applied: [], failed: [] };
  const applied = [...new Set(rows.filter(isApplied).map((r) => r.migrationName))].sort();
  return { present: true, lastApplied: applied.at(-1) ?? null, applied, failed: rows.filter(isFailed).map((r) => r.migrationName) };
}

/** Reads everything the manifest needs inside the current transaction. */
export async function readDatabaseState(client: pg.ClientBase, schema: string): Promise<DatabaseState> {
  const { rows } = await client.query<{ db: string; size: string; models: boolean }>(
    `SELECT current_database() AS db, pg_database_size(current_database())::bigint AS size,
            to_regclass(format('%I.models', $1::text)) IS NOT NULL AS models`,
    [schema],
  );
  const info = rows[0]!;
  const rowCounts = await exactRowCounts(client);
  const ledger = await ledgerSummary(client, schema);
  const tierSchema = (await tierSchemaState(client, schema)).state;
  const csv = info.models ? await modelsCsv(client, schema) : null;
  return { database: info.db, identity: await databaseIdentity(client), sizeBytes: Number(info.size), rowCounts, ledger, tierSchema, modelsCsv: csv };
}
