import type { TestUser, TierAssignments } from '../fixtures/fixture-schemas.js';
import { accessStatus, decideAccess, tierRank, type AccessStatus, type ModelPolicy, type Tier } from '../tier/index.js';

/**
 * What the checks expect, derived from the fixtures through the tier library, never
 * written down: edit tier-assignments.json and the expectations follow.
 */
export interface Expectations {
  readonly policies: ReadonlyMap<string, ModelPolicy>;
  /** A user per tier, from test-users.json (the checks log in as them). */
  readonly users: Readonly<Partial<Record<Tier, string>>>;
  /** A model a free user may not use and a pro user may (test 3, 5, 7): the guide's "Pro model". */
  readonly proModel: string | null;
}

export function deriveExpectations(assignments: TierAssignments, users: readonly TestUser[]): Expectations {
  const policies = new Map<string, ModelPolicy>(Object.entries(assignments).map(([id, a]) => [id, a]));
  const byTier: Partial<Record<Tier, string>> = {};
  for (const u of users) byTier[u.subscription.tier as Tier] ??= u.email;
  const denied = (tier: Tier, id: string) => !decideAccess(tier, policies.get(id)!).allowed;
  const candidates = [...policies.keys()].filter((id) => denied('free', id) && !denied('pro', id)).sort();
  // Prefer a model whose required tier is pro itself (the guide's example), else any the pro tier opens.
  const proModel = candidates.find((id) => tierRank(policies.get(id)!.requiredTier as Tier) === tierRank('pro')) ?? candidates[0] ?? null;
  return { policies, users: byTier, proModel };
}

/** The access_status a listing must show a user of `tier` for each fixture model. */
export function expectedStatuses(e: Expectations, tier: Tier): Map<string, AccessStatus> {
  return new Map([...e.policies].map(([id, p]) => [id, accessStatus(decideAccess(tier, p))]));
}
