import type pg from 'pg';
import { catalogSnapshot, type ColumnShape, type IndexShape } from './catalog-snapshot.js';
import { TIER_COLUMNS, TIER_INDEXES } from '../tier-columns.js';

/** The guide's step 5 (after apply) or rollback step 6 (after rollback), read from the catalog. */
export interface TierSchemaCheck {
  readonly expected: 'present' | 'absent';
  readonly ok: boolean;
  /** The tier columns found on models, with type, nullability and default. */
  readonly columns: readonly ColumnShape[];
  /** The tier indexes found, with their definition. */
  readonly indexes: readonly IndexShape[];
  /** What should be there and is not (present), or should be gone and is not (absent). */
  readonly wrong: readonly string[];
}

/**
 * Checks that models has the three tier columns and both indexes (`present`), or none of
 * them (`absent`), and returns what the catalog shows, for the report.
 */
export async function checkTierSchema(client: pg.ClientBase, schema: string, expected: 'present' | 'absent'): Promise<TierSchemaCheck> {
  const snapshot = await catalogSnapshot(client, schema);
  const columns = snapshot.columns.filter((c) => c.table === 'models' && (TIER_COLUMNS as readonly string[]).includes(c.column));
  const indexes = snapshot.indexes.filter((i) => (TIER_INDEXES as readonly string[]).includes(i.name));
  const found = new Set([...columns.map((c) => c.column), ...indexes.map((i) => i.name)]);
  const all = [...TIER_COLUMNS, ...TIER_INDEXES];
  const wrong = expected === 'present' ? all.filter((n) => !found.has(n)) : all.filter((n) => found.has(n));
  return { expected, ok: wrong.length === 0, columns, indexes, wrong };
}
