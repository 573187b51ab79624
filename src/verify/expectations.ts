import type { TestUser, TierAssignments } from '../fixtures/fixture-schemas.js';
import { accessStatus, decideAccess, effectiveTier, type AccessStatus, type ModelPolicy, type Tier } from '../tier/index.js';

/**
 * What the checks expect, derived from the fixtures through the tier library, never
 * written down: edit tier-assignments.json and the expectations follow.
 */
export interface Expectations {
  readonly policies: ReadonlyMap<string, ModelPolicy>;
  /** A user per effective tier, from test-users.json (the checks log in as them). */
  readonly users: Readonly<Partial<Record<Tier, string>>>;
  /** A model a free user may not use and a pro user may (tests 3 and 5): the guide's "Pro model". */
  readonly proModel: string | null;
  /**
   * A model a pro user may not use and an enterprise user may (test 7 asks for it as the free
   * user, as the guide does with gpt-5); when there is none, any model the free user may not use.
   */
  readonly enterpriseModel: string | null;
}

const DAY_MS = 86_400_000;

/** The tier a fixture user has once created (tierctl users create starts the period now): a cancelled Pro user is free. */
export function fixtureUserTier(u: TestUser, now: Date): Tier {
  const s = u.subscription;
  return effectiveTier({ tier: s.tier, status: s.status, currentPeriodEnd: new Date(now.getTime() + s.periodDays * DAY_MS) }, now);
}

/** The first model (by id) that none of `below` may use and `at` may, preferring one whose required tier is `at` itself. */
function modelFor(policies: ReadonlyMap<string, ModelPolicy>, below: readonly Tier[], at: Tier): string | null {
  const opens = (tier: Tier, id: string) => decideAccess(tier, policies.get(id)!).allowed;
  const candidates = [...policies.keys()].filter((id) => below.every((b) => !opens(b, id)) && opens(at, id)).sort();
  return candidates.find((id) => policies.get(id)!.requiredTier === at) ?? candidates[0] ?? null;
}

export function deriveExpectations(assignments: TierAssignments, users: readonly TestUser[], now = new Date()): Expectations {
  const policies = new Map<string, ModelPolicy>(Object.entries(assignments));
  const byTier: Partial<Record<Tier, string>> = {};
  for (const u of users) byTier[fixtureUserTier(u, now)] ??= u.email;
  const proModel = modelFor(policies, ['free'], 'pro');
  const deniedToFree = [...policies.keys()].filter((id) => !decideAccess('free', policies.get(id)!).allowed).sort();
  const enterpriseModel = modelFor(policies, ['free', 'pro'], 'enterprise') ?? proModel ?? deniedToFree[0] ?? null;
  return { policies, users: byTier, proModel, enterpriseModel };
}

/** The policy a listed model shows (`required_tier`, `tier_restriction_mode`, `allowed_tiers`), or null when it lacks one. */
export function listedPolicy(m: Readonly<Record<string, unknown>>): ModelPolicy | null {
  const { required_tier: requiredTier, tier_restriction_mode: mode, allowed_tiers: allowed } = m;
  if (typeof requiredTier !== 'string' || typeof mode !== 'string' || !Array.isArray(allowed)) return null;
  return { requiredTier, tierRestrictionMode: mode, allowedTiers: allowed.filter((t): t is string => typeof t === 'string') };
}

/**
 * The access_status a listing must show a user of `tier`: for a fixture model, what the
 * fixture's policy gives; for any other listed model, what the policy it is listed with gives.
 */
export function expectedStatus(e: Expectations, tier: Tier, id: string, listed?: Readonly<Record<string, unknown>>): AccessStatus | null {
  const policy = e.policies.get(id) ?? (listed ? listedPolicy(listed) : null);
  return policy ? accessStatus(decideAccess(tier, policy)) : null;
}

/** The access_status a listing must show a user of `tier` for each fixture model. */
export function expectedStatuses(e: Expectations, tier: Tier): Map<string, AccessStatus> {
  return new Map([...e.policies.keys()].map((id) => [id, expectedStatus(e, tier, id)!]));
}
