import type pg from 'pg';

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

/** What of the tier migration is in the catalog right now (whatever the ledger says). */
export async function tierSchemaState(client: pg.ClientBase, schema: string): Promise<TierSchemaState> {
  const cols = await client.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'models' AND column_name = ANY($2)`,
    [schema, TIER_COLUMNS],
  );
  const idx = await client.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname = ANY($2)`, [
    schema,
    TIER_INDEXES,
  ]);
  const columns = TIER_COLUMNS.filter((c) => cols.rows.some((r) => r.column_name === c));
  const indexes = TIER_INDEXES.filter((i) => idx.rows.some((r) => r.indexname === i));
  const found = columns.length + indexes.length;
  const state = found === 0 ? 'absent' : found === TIER_COLUMNS.length + TIER_INDEXES.length ? 'present' : 'partial';
  return { columns, indexes, state };
}
