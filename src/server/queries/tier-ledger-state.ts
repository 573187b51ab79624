/**
 * What the migration ledger says about the tier migration, for the server's fail-closed
 * rule: enforcement may loosen only when the ledger records the tier migration as rolled
 * back or never applied.
 */
import type pg from 'pg';
import { isApplied, readLedger } from '../../db/migrations/ledger.js';
import { TIER_MIGRATION } from '../../db/migrations/migration-files.js';

/**
 * `applied`: a finished row that is not rolled back. `not_applied`: no ledger, no row, or
 * every row rolled back (tierctl deletes the rows, `prisma migrate resolve --rolled-back`
 * marks them). `unsettled`: only failed or unfinished rows (a half-applied migration).
 */
export type TierLedgerState = 'applied' | 'not_applied' | 'unsettled';

export async function tierLedgerState(db: pg.Pool | pg.ClientBase, schema: string): Promise<TierLedgerState> {
  const rows = (await readLedger(db as pg.ClientBase, schema))?.filter((r) => r.migrationName === TIER_MIGRATION) ?? [];
  if (rows.some(isApplied)) return 'applied';
  if (rows.every((r) => r.rolledBackAt !== null)) return 'not_applied';
  return 'unsettled';
}
