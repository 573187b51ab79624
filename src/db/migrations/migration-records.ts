import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { CatalogDiff } from './catalog-objects.js';
import { LEDGER_TABLE } from './ledger.js';
import { quoteIdent } from '../sql.js';

/**
 * tierctl's record of each migration it applied, beside Prisma's ledger (which stays
 * exactly Prisma's): which ledger row it belongs to, which run applied it (a deployment's
 * run id, so its automatic rollback undoes exactly what it applied, also after
 * `--resume`), what migration.sql added, removed and changed in the catalog, and the
 * SHA-256 of down.sql at apply time (an edited down.sql is refused later). Written in the
 * migration's own transaction: the record exists exactly when the migration does.
 */
export const MIGRATION_RECORDS_TABLE = '_tierctl_migrations';

const table = (schema: string) => `${quoteIdent(schema)}.${quoteIdent(MIGRATION_RECORDS_TABLE)}`;

export const migrationRecordsDdl = (schema: string) => `CREATE TABLE IF NOT EXISTS ${table(schema)} (
    "ledger_id"      VARCHAR(36)  PRIMARY KEY NOT NULL,
    "migration_name" VARCHAR(255) NOT NULL,
    "run_id"         VARCHAR(64),
    "down_sha256"    VARCHAR(64),
    "catalog_diff"   JSONB        NOT NULL,
    "applied_at"     TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp(),
    "applied_by"     TEXT         NOT NULL DEFAULT current_user
)`;

export interface MigrationRecord {
  readonly ledgerId: string;
  readonly migrationName: string;
  readonly runId: string | null;
  /** SHA-256 of down.sql when the migration was applied (null: it had none). */
  readonly downSha256: string | null;
  /** What migration.sql did to the catalog. */
  readonly catalogDiff: CatalogDiff;
}

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Creates the records table when missing (before the catalog is read, so it is never part of a diff). */
export async function ensureMigrationRecords(client: pg.ClientBase, schema: string): Promise<void> {
  await client.query(migrationRecordsDdl(schema));
}

export async function insertMigrationRecord(client: pg.ClientBase, schema: string, r: MigrationRecord): Promise<void> {
  await client.query(`INSERT INTO ${table(schema)} (ledger_id, migration_name, run_id, down_sha256, catalog_diff) VALUES ($1, $2, $3, $4, $5)`, [
    r.ledgerId,
    r.migrationName,
    r.runId,
    r.downSha256,
    JSON.stringify(r.catalogDiff),
  ]);
}

const exists = async (client: pg.ClientBase, schema: string) =>
  (await client.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [table(schema)])).rows[0]!.found;

const SELECT = `SELECT r.ledger_id AS "ledgerId", r.migration_name AS "migrationName", r.run_id AS "runId", r.down_sha256 AS "downSha256", r.catalog_diff AS "catalogDiff"`;

/** The record of the migration's applied ledger row (null: applied by Prisma or before tierctl kept records). */
export async function recordOfApplied(client: pg.ClientBase, schema: string, name: string): Promise<MigrationRecord | null> {
  if (!(await exists(client, schema))) return null;
  const { rows } = await client.query<MigrationRecord>(
    `${SELECT} FROM ${table(schema)} r JOIN ${quoteIdent(schema)}.${quoteIdent(LEDGER_TABLE)} l ON l.id = r.ledger_id
      WHERE r.migration_name = $1 AND l.finished_at IS NOT NULL AND l.rolled_back_at IS NULL
      ORDER BY r.applied_at DESC LIMIT 1`,
    [name],
  );
  return rows[0] ?? null;
}

/** The migrations run `runId` applied that are still applied (their ledger row is there), in order. */
export async function appliedByRun(client: pg.ClientBase, schema: string, runId: string): Promise<string[]> {
  if (!(await exists(client, schema))) return [];
  const { rows } = await client.query<{ name: string }>(
    `SELECT r.migration_name AS name FROM ${table(schema)} r JOIN ${quoteIdent(schema)}.${quoteIdent(LEDGER_TABLE)} l ON l.id = r.ledger_id
      WHERE r.run_id = $1 AND l.finished_at IS NOT NULL AND l.rolled_back_at IS NULL ORDER BY r.migration_name`,
    [runId],
  );
  return rows.map((r) => r.name);
}

/** A fresh run id (a deployment keeps one across --resume). */
export const newRunId = (): string => randomUUID();
