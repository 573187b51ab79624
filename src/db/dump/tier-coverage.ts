import type { DumpTierValues, TierValues } from './dump-tier-values.js';
import type { ModelTierData } from '../migrations/tier-data-loss.js';

/**
 * Safety rule 3 (content, not clocks): does a backup hold the tier values a rollback would
 * drop? Compared value by value with what the dump itself holds, for every model whose live
 * values would be lost; timestamps play no part. The result is typed so other steps
 * (rehearse --from-backup) can report it as it is.
 */
export interface ModelDifference {
  readonly id: string;
  /** The values that would be dropped. */
  readonly live: TierValues;
  /** What the dump holds for the model (null: the model is not in the dump, or the dump has no tier columns). */
  readonly dump: TierValues | null;
  /** The fields that differ: required_tier, tier_restriction_mode, allowed_tiers, or `missing`. */
  readonly fields: readonly string[];
}

export interface TierCoverage {
  /** True when every model whose values would be dropped has exactly those values in the dump. */
  readonly covered: boolean;
  /** How many models were compared (those with values to lose). */
  readonly compared: number;
  readonly differences: readonly ModelDifference[];
}

const same = (a: readonly string[] | null, b: readonly string[] | null) => JSON.stringify(a) === JSON.stringify(b);

export function tierCoverage(live: readonly ModelTierData[], dump: DumpTierValues): TierCoverage {
  const differences: ModelDifference[] = [];
  for (const m of live) {
    const values: TierValues = { requiredTier: m.requiredTier, tierRestrictionMode: m.tierRestrictionMode, allowedTiers: m.allowedTiers };
    const held = dump?.get(m.id) ?? null;
    if (!held) {
      differences.push({ id: m.id, live: values, dump: null, fields: ['missing'] });
      continue;
    }
    // Only columns that exist live are dropped (a drifted schema may lack one): only those must match.
    const fields = [
      m.requiredTier !== null && m.requiredTier !== held.requiredTier ? 'required_tier' : null,
      m.tierRestrictionMode !== null && m.tierRestrictionMode !== held.tierRestrictionMode ? 'tier_restriction_mode' : null,
      m.allowedTiers !== null && !same(m.allowedTiers, held.allowedTiers) ? 'allowed_tiers' : null,
    ].filter((f): f is string => f !== null);
    if (fields.length > 0) differences.push({ id: m.id, live: values, dump: held, fields });
  }
  return { covered: differences.length === 0, compared: live.length, differences };
}

const show = (v: TierValues | null) => (v ? `required_tier=${v.requiredTier ?? '-'}, tier_restriction_mode=${v.tierRestrictionMode ?? '-'}, allowed_tiers={${v.allowedTiers?.join(',') ?? '-'}}` : 'not in the backup');

/** One line per model that differs: `gpt-5: live required_tier=pro, ...; backup required_tier=enterprise, ... (differs: required_tier)`. */
export const describeDifferences = (c: TierCoverage): string[] =>
  c.differences.map((d) => `${d.id}: live ${show(d.live)}; backup ${show(d.dump)}${d.dump ? ` (differs: ${d.fields.join(', ')})` : ''}`);
