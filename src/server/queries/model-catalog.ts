/**
 * The model catalog as the server reads it: every model with its old fields and, when the
 * tier migration is in place, its tier policy. Works on both schemas (backward and forward
 * compatible): on a database without the tier columns, models come back with `policy: null`.
 */
import type pg from 'pg';
import type { ModelPolicy } from '../../tier/index.js';
import { TIER_COLUMNS } from '../../db/tier-columns.js';
import { qualified } from '../../db/sql.js';

export interface CatalogModel {
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  readonly provider: string;
  readonly description: string | null;
  readonly capabilities: readonly string[];
  readonly contextLength: number;
  readonly creditsPer1kTokens: number;
  readonly isAvailable: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /**
   * `null`: nothing to enforce (no tier columns, and the server checked that the ledger
   * records the tier migration as never applied or rolled back). `'unavailable'`: the
   * ledger says applied but this model's policy could not be read and none is known: the
   * server refuses to serve it (fail closed).
   */
  readonly policy: ModelPolicy | null | typeof POLICY_UNAVAILABLE;
}

export const POLICY_UNAVAILABLE = 'unavailable';

/**
 * Where a catalog's policies come from: `database` (read now), `none` (no tier columns),
 * `last_known` (unreadable now, the ones read before are kept), `unavailable` (unreadable,
 * none known). loadCatalog gives the first two; the server decides the others.
 */
export type PolicySource = 'database' | 'none' | 'last_known' | 'unavailable';

export interface Catalog {
  readonly models: readonly CatalogModel[];
  readonly byId: ReadonlyMap<string, CatalogModel>;
  /** Whether the tier columns were there when this catalog was read. */
  readonly tierSchema: boolean;
  readonly policies: PolicySource;
}

const BASE = `id, name, display_name, provider, description, capabilities, context_length, credits_per_1k_tokens, is_available, created_at, updated_at`;
const TIERED = `${BASE}, required_tier::text AS required_tier, tier_restriction_mode, allowed_tiers::text[] AS allowed_tiers`;

interface Row {
  id: string;
  name: string;
  display_name: string;
  provider: string;
  description: string | null;
  capabilities: string[] | null;
  context_length: number;
  credits_per_1k_tokens: number;
  is_available: boolean;
  created_at: Date;
  updated_at: Date;
  required_tier?: string;
  tier_restriction_mode?: string;
  allowed_tiers?: string[] | null;
}

function toModel(row: Row, tierSchema: boolean): CatalogModel {
  return {
    id: row.id,
    name: row.name,
    displayName: row.display_name,
    provider: row.provider,
    description: row.description,
    capabilities: row.capabilities ?? [],
    contextLength: row.context_length,
    creditsPer1kTokens: row.credits_per_1k_tokens,
    isAvailable: row.is_available,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    policy: tierSchema
      ? { requiredTier: row.required_tier ?? '', tierRestrictionMode: row.tier_restriction_mode ?? '', allowedTiers: row.allowed_tiers ?? [] }
      : null,
  };
}

/** PostgreSQL's undefined_column: the tier columns went away under us (rollback). */
export const UNDEFINED_COLUMN = '42703';

/** Whether all three tier columns exist on `models` (indexes do not matter for serving). */
export async function hasTierColumns(db: pg.Pool | pg.ClientBase, schema: string): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM information_schema.columns
      WHERE table_schema = $2 AND table_name = 'models' AND column_name = ANY($1)`,
    [TIER_COLUMNS, schema],
  );
  return rows[0]?.n === TIER_COLUMNS.length;
}

/**
 * Reads the whole catalog. `expectTier` says which query to try first; if the tier columns
 * are gone (42703) it falls back to the baseline query, so the caller never fails because
 * of a migration or rollback happening while it runs.
 */
export async function loadCatalog(db: pg.Pool | pg.ClientBase, schema: string, expectTier: boolean): Promise<Catalog> {
  const table = qualified(schema, 'models');
  let tierSchema = expectTier;
  let rows: Row[];
  try {
    rows = (await db.query<Row>(`SELECT ${tierSchema ? TIERED : BASE} FROM ${table} ORDER BY id`)).rows;
  } catch (e) {
    if (!tierSchema || (e as { code?: string }).code !== UNDEFINED_COLUMN) throw e;
    tierSchema = false;
    rows = (await db.query<Row>(`SELECT ${BASE} FROM ${table} ORDER BY id`)).rows;
  }
  const models = rows.map((r) => toModel(r, tierSchema));
  return { models, byId: new Map(models.map((m) => [m.id, m])), tierSchema, policies: tierSchema ? 'database' : 'none' };
}
