import type pg from 'pg';
import { quoteIdent } from '../sql.js';

/** The tier columns' defaults (migration.sql): a model with exactly these loses nothing when they are dropped. */
export const TIER_DEFAULTS = { requiredTier: 'free', tierRestrictionMode: 'minimum', allowedTiers: ['free', 'pro', 'enterprise'] } as const;

export interface ModelTierData {
  readonly id: string;
  readonly requiredTier: string | null;
  readonly tierRestrictionMode: string | null;
  readonly allowedTiers: readonly string[] | null;
}

const TIER_EXPRESSIONS = [
  { column: 'required_tier', select: 'required_tier::text', cast: 'text', as: 'requiredTier', fallback: TIER_DEFAULTS.requiredTier },
  { column: 'tier_restriction_mode', select: 'tier_restriction_mode::text', cast: 'text', as: 'tierRestrictionMode', fallback: TIER_DEFAULTS.tierRestrictionMode },
  { column: 'allowed_tiers', select: 'allowed_tiers::text[]', cast: 'text[]', as: 'allowedTiers', fallback: TIER_DEFAULTS.allowedTiers },
] as const;

/**
 * The models whose tier values differ from the column defaults: what dropping the tier
 * columns would destroy. `columns` are the tier columns that exist (all three normally;
 * fewer on a drifted schema, and then only those are compared). With `lock`, first takes
 * the ACCESS EXCLUSIVE lock the rollback needs anyway, so no writer can change a value
 * between this count and the DROP COLUMN.
 */
export async function modelsWithTierData(client: pg.ClientBase, schema: string, columns: readonly string[], options: { lock?: boolean } = {}): Promise<ModelTierData[]> {
  const models = `${quoteIdent(schema)}.models`;
  if (options.lock) await client.query(`LOCK TABLE ${models} IN ACCESS EXCLUSIVE MODE`);
  const present = TIER_EXPRESSIONS.filter((e) => columns.includes(e.column));
  if (present.length === 0) return [];
  const selected = TIER_EXPRESSIONS.map((e) => `${present.includes(e) ? e.select : 'NULL'} AS "${e.as}"`).join(', ');
  const { rows } = await client.query<ModelTierData>(
    `SELECT id, ${selected} FROM ${models}
      WHERE ${present.map((e, i) => `${e.select} IS DISTINCT FROM $${i + 1}::${e.cast}`).join(' OR ')}
      ORDER BY id`,
    present.map((e) => e.fallback),
  );
  return rows;
}
