import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { quoteIdent } from './sql.js';

/**
 * tierctl's own record of rolled-back migrations. Prisma has no down-migrations: rolling
 * back deletes the migration's `_prisma_migrations` rows (so a deploy would apply it
 * again), and this table keeps what Prisma's ledger no longer says: what was rolled back,
 * when, by whom, and why.
 */
export const ROLLBACK_AUDIT_TABLE = '_tierctl_migration_rollbacks';

const table = (schema: string) => `${quoteIdent(schema)}.${quoteIdent(ROLLBACK_AUDIT_TABLE)}`;

export const rollbackAuditDdl = (schema: string) => `CREATE TABLE IF NOT EXISTS ${table(schema)} (
    "id"               VARCHAR(36)  PRIMARY KEY NOT NULL,
    "migration_name"   VARCHAR(255) NOT NULL,
    "checksum"         VARCHAR(64)  NOT NULL,
    "rolled_back_at"   TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp(),
    "rolled_back_by"   TEXT         NOT NULL DEFAULT current_user,
    "application_name" TEXT         NOT NULL DEFAULT current_setting('application_name'),
    "reason"           TEXT,
    "models_with_tier_data" INTEGER NOT NULL DEFAULT 0
)`;

export interface RollbackAuditEntry {
  readonly migrationName: string;
  readonly checksum: string;
  readonly reason: string | null;
  /** Models whose non-default tier values the rollback dropped (0 unless --accept-loss or a backup allowed it). */
  readonly modelsWithTierData: number;
}

/** Records one rolled-back migration (inside the rollback's transaction). */
export async function recordRollback(client: pg.ClientBase, schema: string, entry: RollbackAuditEntry): Promise<void> {
  await client.query(rollbackAuditDdl(schema));
  await client.query(`INSERT INTO ${table(schema)} (id, migration_name, checksum, reason, models_with_tier_data) VALUES ($1, $2, $3, $4, $5)`, [
    randomUUID(),
    entry.migrationName,
    entry.checksum,
    entry.reason,
    entry.modelsWithTierData,
  ]);
}

/** The migrations tierctl has rolled back at some point (none when the table does not exist). */
export async function rolledBackMigrations(client: pg.ClientBase, schema: string): Promise<Set<string>> {
  const exists = await client.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [table(schema)]);
  if (!exists.rows[0]?.found) return new Set();
  const { rows } = await client.query<{ name: string }>(`SELECT DISTINCT migration_name AS name FROM ${table(schema)}`);
  return new Set(rows.map((r) => r.name));
}
