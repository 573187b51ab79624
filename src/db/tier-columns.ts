import type pg from 'pg';
import { quoteLiteral } from './sql.js';

/** The three columns the tier migration adds to `models`. */
export const TIER_COLUMNS = ['required_tier', 'tier_restriction_mode', 'allowed_tiers'] as const;
/** The two indexes it adds. */
export const TIER_INDEXES = ['models_required_tier_idx', 'models_is_available_required_tier_idx'] as const;

export interface TierSchemaState {
  /** Which of the three tier columns exist on `models`. */
  readonly columns: readonly string[];
  /** Which of the two tier indexes exist. */
  readonly indexes: readonly string[];
  /** `absent` (baseline), `present` (all five), or `partial` (the guide's "Column already exists" case). */
  readonly state: 'absent' | 'present' | 'partial';
}

/**
 * What of the tier migration is in the catalog right now (whatever the ledger says). One
 * query on pg_catalog: information_schema.columns is a view costly enough to plan and run
 * (tens of ms on a fresh connection) to dominate `tierctl migrate status`.
 */
export async function tierSchemaState(client: pg.ClientBase, schema: string): Promise<TierSchemaState> {
  return tierSchemaOf((await client.query<TierSchemaRow>(`SELECT ${tierSchemaColumns(schema)}`)).rows[0]!);
}

/** What `tierSchemaColumns` selects. */
export interface TierSchemaRow {
  readonly columns: string[];
  readonly indexes: string[];
}

/** The select list `tierSchemaState` reads (`columns`, `indexes`), for statements that read more in the same round trip. */
export const tierSchemaColumns = (schema: string): string =>
  `ARRAY(SELECT a.attname::text FROM pg_attribute a
          WHERE a.attrelid = (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                               WHERE n.nspname = ${quoteLiteral(schema)} AND c.relname = 'models' AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))
            AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY(${quoteLiteral(`{${TIER_COLUMNS.join(',')}}`)})) AS columns,
   ARRAY(SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ${quoteLiteral(schema)} AND c.relkind IN ('i', 'I') AND c.relname = ANY(${quoteLiteral(`{${TIER_INDEXES.join(',')}}`)})) AS indexes`;

export function tierSchemaOf(row: TierSchemaRow): TierSchemaState {
  const columns = TIER_COLUMNS.filter((c) => row.columns.includes(c));
  const indexes = TIER_INDEXES.filter((i) => row.indexes.includes(i));
  const found = columns.length + indexes.length;
  const state = found === 0 ? 'absent' : found === TIER_COLUMNS.length + TIER_INDEXES.length ? 'present' : 'partial';
  return { columns, indexes, state };
}
