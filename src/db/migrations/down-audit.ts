import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { LEDGER_TABLE } from './ledger.js';
import { quoteIdent } from '../sql.js';

/**
 * tierctl's own record of rolled-back migrations. Prisma has no down-migrations: rolling
 * back deletes the migration's `_prisma_migrations` rows (so a deploy would apply it
 * again), and this table keeps what Prisma's ledger no longer says: what was rolled back,
 * when, by whom, and why.
 */
export const DOWN_AUDIT_TABLE = '_tierctl_migration_rollbacks';

/** `"schema"."_tierctl_migration_rollbacks"`, as `to_regclass` takes it. */
export const downAuditTable = (schema: string): string => `${quoteIdent(schema)}.${quoteIdent(DOWN_AUDIT_TABLE)}`;
const table = downAuditTable;

export const downAuditDdl = (schema: string) => `CREATE TABLE IF NOT EXISTS ${table(schema)} (
    "id"               VARCHAR(36)  PRIMARY KEY NOT NULL,
    "migration_name"   VARCHAR(255) NOT NULL,
    "checksum"         VARCHAR(64)  NOT NULL,
    "rolled_back_at"   TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp(),
    "rolled_back_by"   TEXT         NOT NULL DEFAULT current_user,
    "application_name" TEXT         NOT NULL DEFAULT current_setting('application_name'),
    "reason"           TEXT,
    "models_with_tier_data" INTEGER NOT NULL DEFAULT 0
)`;

export interface DownAuditEntry {
  readonly migrationName: string;
  readonly checksum: string;
  readonly reason: string | null;
  /** Models whose non-default tier values the rollback dropped (0 unless --accept-loss or a backup allowed it). */
  readonly modelsWithTierData: number;
}

/**
 * Records rolled-back migrations (inside the rollback's transaction, after the down.sql files
 * and the audit table's DDL): deletes their `_prisma_migrations` rows, so `prisma migrate
 * deploy` would apply them again, and writes one audit entry each, in one statement.
 */
export async function recordDowns(client: pg.ClientBase, schema: string, entries: readonly DownAuditEntry[]): Promise<void> {
  await client.query(
    `WITH gone AS (DELETE FROM ${quoteIdent(schema)}.${quoteIdent(LEDGER_TABLE)} WHERE migration_name = ANY($2::text[]))
     INSERT INTO ${table(schema)} (id, migration_name, checksum, reason, models_with_tier_data)
     SELECT e.id, e.name, e.checksum, e.reason, e.models FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[]) WITH ORDINALITY AS e(id, name, checksum, reason, models, n) ORDER BY e.n`,
    [entries.map(() => randomUUID()), entries.map((e) => e.migrationName), entries.map((e) => e.checksum), entries.map((e) => e.reason), entries.map((e) => e.modelsWithTierData)],
  );
}

/** The statement reading the names of the migrations tierctl has rolled back (column `name`). */
export const rolledBackSql = (schema: string): string => `SELECT DISTINCT migration_name AS name FROM ${table(schema)}`;

/** The migrations tierctl has rolled back at some point (none when the table does not exist). */
export async function rolledBackMigrations(client: pg.ClientBase, schema: string): Promise<Set<string>> {
  const exists = await client.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [table(schema)]);
  if (!exists.rows[0]?.found) return new Set();
  const { rows } = await client.query<{ name: string }>(rolledBackSql(schema));
  return new Set(rows.map((r) => r.name));
}
