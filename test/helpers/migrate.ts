/** Shortcuts for tests of `tierctl migrate`: the runbook steps in-process, and what the ledger holds. */
import type pg from 'pg';
import { LEDGER_TABLE } from '../../src/db/migrations/ledger.js';
import { migrateApply, type MigrateApplyOptions, type MigrateApplyReport } from '../../src/runbook/migrate/migrate-apply.js';
import { migrateDown, type MigrateDownOptions, type MigrateDownReport } from '../../src/runbook/migrate/migrate-down.js';
import { unwrap, type Failure, type Result } from '../../src/shared/failure.js';
import { silentReporter } from '../../src/shared/reporter.js';
import type { TestDatabase } from './test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

export const deps = { reporter: silentReporter };

export async function apply(db: TestDatabase, options: Partial<MigrateApplyOptions> = {}): Promise<MigrateApplyReport> {
  return unwrap(await migrateApply({ database: plainTarget(db.url), ...options }, deps));
}

export async function rollback(db: TestDatabase, options: Partial<MigrateDownOptions> = {}): Promise<MigrateDownReport> {
  return unwrap(await migrateDown({ database: plainTarget(db.url), ...options }, deps));
}

/** The failure of a Result that must have failed. */
export function failureOf<T>(result: Result<T>): Failure {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value).slice(0, 300)}`);
  return result.failure;
}

export interface RawLedgerRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

/** `_prisma_migrations` as stored (snake_case), oldest first; [] when the table does not exist. */
export async function ledgerRows(db: TestDatabase | pg.Pool): Promise<RawLedgerRow[]> {
  const pool = 'pool' in db ? db.pool : db;
  const { rows } = await pool.query<{ found: boolean }>(`SELECT to_regclass('"${LEDGER_TABLE}"') IS NOT NULL AS found`);
  if (!rows[0]!.found) return [];
  return (await pool.query<RawLedgerRow>(`SELECT * FROM "${LEDGER_TABLE}" ORDER BY started_at, migration_name`)).rows;
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
