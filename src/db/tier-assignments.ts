import type pg from 'pg';
import type { TierAssignments } from '../fixtures/fixture-schemas.js';
import { qualified } from './sql.js';

export interface ModelTierRow {
  readonly id: string;
  readonly requiredTier: string;
  readonly tierRestrictionMode: string;
  readonly allowedTiers: string[];
}

export interface AssignmentChange {
  readonly id: string;
  readonly before: ModelTierRow;
  readonly after: ModelTierRow;
  readonly changed: boolean;
}

export type AssignmentOutcome = { readonly missing: readonly string[] } | { readonly changes: readonly AssignmentChange[] };

const selectTiers = (schema: string) => `SELECT id, required_tier::text AS "requiredTier", tier_restriction_mode AS "tierRestrictionMode",
  allowed_tiers::text[] AS "allowedTiers" FROM ${qualified(schema, 'models')}`;

/** Every model's tier fields, by id (needs the tier migration). */
export async function readModelTiers(client: pg.ClientBase, schema: string): Promise<ModelTierRow[]> {
  return (await client.query<ModelTierRow>(`${selectTiers(schema)} ORDER BY id`)).rows;
}

/**
 * Sets the tier fields (and only those) of the listed models, inside the caller's
 * transaction. Locks the rows first so the before → after it reports is exact. Returns
 * the missing ids instead of changing anything when a listed model does not exist.
 */
export async function applyTierAssignments(client: pg.ClientBase, schema: string, assignments: TierAssignments): Promise<AssignmentOutcome> {
  const ids = Object.keys(assignments);
  const { rows } = await client.query<ModelTierRow>(`${selectTiers(schema)} WHERE id = ANY($1) ORDER BY id FOR UPDATE`, [ids]);
  const missing = ids.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length > 0) return { missing };
  const changes: AssignmentChange[] = [];
  for (const before of rows) {
    const a = assignments[before.id]!;
    const after: ModelTierRow = { id: before.id, requiredTier: a.requiredTier, tierRestrictionMode: a.tierRestrictionMode, allowedTiers: [...a.allowedTiers] };
    const changed = JSON.stringify(before) !== JSON.stringify(after);
    if (changed) {
      await client.query(
        `UPDATE ${qualified(schema, 'models')} SET required_tier = $2::${qualified(schema, 'subscription_tier')}, tier_restriction_mode = $3,
                allowed_tiers = $4::${qualified(schema, 'subscription_tier')}[], updated_at = now() WHERE id = $1`,
        [after.id, after.requiredTier, after.tierRestrictionMode, after.allowedTiers],
      );
    }
    changes.push({ id: before.id, before, after, changed });
  }
  return { changes };
}

export interface RevertOutcome {
  /** Models set back to their values before the seed. */
  readonly reverted: readonly string[];
  /** Models whose values changed again after the seed (or are gone): not the seed's to undo, left as they are. */
  readonly leftAlone: readonly { readonly id: string; readonly now: ModelTierRow | null }[];
}

/**
 * Undoes a seed's changes (inside the caller's transaction): each model whose tier fields
 * still hold exactly what the seed wrote gets its values from before the seed back; a model
 * changed since by someone else is left alone and named.
 */
export async function revertTierAssignments(client: pg.ClientBase, schema: string, changes: readonly AssignmentChange[]): Promise<RevertOutcome> {
  const ours = changes.filter((c) => c.changed);
  const { rows } = await client.query<ModelTierRow>(`${selectTiers(schema)} WHERE id = ANY($1) ORDER BY id FOR UPDATE`, [ours.map((c) => c.id)]);
  const reverted: string[] = [];
  const leftAlone: { id: string; now: ModelTierRow | null }[] = [];
  for (const c of ours) {
    const now = rows.find((r) => r.id === c.id) ?? null;
    if (!now || JSON.stringify(now) !== JSON.stringify(c.after)) {
      leftAlone.push({ id: c.id, now });
      continue;
    }
    await client.query(
      `UPDATE ${qualified(schema, 'models')} SET required_tier = $2::${qualified(schema, 'subscription_tier')}, tier_restriction_mode = $3,
              allowed_tiers = $4::${qualified(schema, 'subscription_tier')}[], updated_at = now() WHERE id = $1`,
      [c.id, c.before.requiredTier, c.before.tierRestrictionMode, c.before.allowedTiers],
    );
    reverted.push(c.id);
  }
  return { reverted, leftAlone };
}
