/**
 * Writes `_prisma_migrations` rows the way `prisma migrate deploy` leaves them (see
 * ../shared/prisma-ledger.md), for tests that need a given ledger state without running
 * the migration runner.
 */
import { randomUUID } from 'node:crypto';
import { ledgerDdl } from '../../src/db/migrations/ledger.js';
import { loadMigrations } from '../../src/db/migrations/migration-files.js';
import type { TestDatabase } from './test-database.js';

export interface RowOptions {
  /** Leave finished_at NULL with these logs: a failed migration (P3009). */
  readonly failedWith?: string;
  /** Record this checksum instead of the file's (migration.sql "edited since"). */
  readonly checksum?: string;
}

export async function writeLedgerRow(db: TestDatabase, name: string, options: RowOptions = {}): Promise<void> {
  const file = (await loadMigrations()).find((m) => m.name === name);
  if (!file) throw new Error(`no migration ${name}`);
  await db.pool.query(ledgerDdl('public'));
  await db.pool.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, started_at, applied_steps_count)
     VALUES ($1, $2, CASE WHEN $3::text IS NULL THEN now() END, $4, $3, now(), CASE WHEN $3::text IS NULL THEN 1 ELSE 0 END)`,
    [randomUUID(), options.checksum ?? file.checksum, options.failedWith ?? null, name],
  );
}

/** Marks every migration up to and including `last` as applied. */
export async function writeLedgerUpTo(db: TestDatabase, last: string): Promise<void> {
  for (const m of await loadMigrations()) {
    await writeLedgerRow(db, m.name);
    if (m.name === last) return;
  }
}
