import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { LEDGER_TABLE, ledgerDdl } from './ledger.js';
import type { MigrationFile } from './migration-files.js';
import { quoteIdent } from '../sql.js';

/**
 * Writes to `_prisma_migrations`, each row shaped exactly as Prisma's schema engine
 * writes it (checked field by field against the engine in test/db/prisma-judge.test.ts):
 * - applied by `migrate deploy`: logs NULL, applied_steps_count 1, finished_at after started_at;
 * - failed: finished_at NULL, logs = the error, applied_steps_count 0;
 * - `migrate resolve --applied`: logs '', applied_steps_count 0, started_at = finished_at.
 * Timestamps come from the server's clock_timestamp(), so rows written inside one
 * transaction still show when each step happened, as Prisma's separate statements do.
 */
const table = (schema: string) => `${quoteIdent(schema)}.${quoteIdent(LEDGER_TABLE)}`;

/** Creates the schema (Prisma does too) and the ledger table when missing. */
export async function ensureLedger(client: pg.ClientBase, schema: string): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await client.query(ledgerDdl(schema));
}

/** Step 1 of an apply: the row that says the migration started. Returns its id and started_at. */
export async function insertStartedRow(client: pg.ClientBase, schema: string, file: MigrationFile): Promise<{ id: string; startedAt: Date }> {
  const id = randomUUID();
  const { rows } = await client.query<{ startedAt: Date }>(
    `INSERT INTO ${table(schema)} (id, checksum, migration_name, started_at, applied_steps_count)
     VALUES ($1, $2, $3, clock_timestamp(), 0) RETURNING started_at AS "startedAt"`,
    [id, file.checksum, file.name],
  );
  return { id, startedAt: rows[0]!.startedAt };
}

/** Step 3 of an apply: the migration ran to its end. */
export async function finishRow(client: pg.ClientBase, schema: string, id: string): Promise<void> {
  await client.query(`UPDATE ${table(schema)} SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`, [id]);
}

/** A failed attempt, as Prisma leaves it: not finished, the error in logs (blocks deploys until resolved: P3009). */
export async function insertFailedRow(client: pg.ClientBase, schema: string, file: MigrationFile, startedAt: Date, logs: string): Promise<string> {
  const id = randomUUID();
  await client.query(
    `INSERT INTO ${table(schema)} (id, checksum, migration_name, logs, started_at, applied_steps_count) VALUES ($1, $2, $3, $4, $5, 0)`,
    [id, file.checksum, file.name, logs, startedAt],
  );
  return id;
}

/**
 * `prisma migrate resolve --applied`: marks any failed rows of the migration rolled back
 * (as the engine does) and inserts a row that says it is applied without having run it.
 */
export async function insertResolvedAppliedRow(client: pg.ClientBase, schema: string, file: MigrationFile): Promise<string> {
  const id = randomUUID();
  await client.query(
    `UPDATE ${table(schema)} SET rolled_back_at = clock_timestamp() WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`,
    [file.name],
  );
  await client.query(
    `INSERT INTO ${table(schema)} (id, checksum, migration_name, logs, started_at, finished_at, applied_steps_count)
     SELECT $1, $2, $3, '', t, t, 0 FROM clock_timestamp() AS t`,
    [id, file.checksum, file.name],
  );
  return id;
}

/** `prisma migrate resolve --rolled-back`: the failed rows of the migration are set aside. Returns how many. */
export async function markFailedRolledBack(client: pg.ClientBase, schema: string, name: string): Promise<number> {
  const r = await client.query(
    `UPDATE ${table(schema)} SET rolled_back_at = clock_timestamp() WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`,
    [name],
  );
  return r.rowCount ?? 0;
}
