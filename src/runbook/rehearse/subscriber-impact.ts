import type pg from 'pg';
import type { TierAssignments } from '../../fixtures/fixture-schemas.js';
import { quoteIdent } from '../../db/sql.js';
import { decideAccess, entitlement, TIERS, tierRank, type ModelPolicy, type SubscriptionLike, type Tier } from '../../tier/index.js';

/**
 * Who the deployment changes things for, counted on the copy's own users with the tier
 * library's own rules (`effectiveTierOf`, `decideAccess`): users per effective tier, each
 * model whose set of allowed tiers changes and how many users lose (or gain) it, and the
 * subscribers of a paid tier whose effective tier is lower (past_due, cancelled, expired,
 * period ended): before the deployment tiers meant nothing, afterwards they are Free.
 */
export type TierCounts = Record<Tier, number>;

export interface ModelAccessChange {
  readonly id: string;
  readonly before: readonly Tier[];
  readonly after: readonly Tier[];
  /** Users (by effective tier) who may use it before and not after. */
  readonly losing: TierCounts;
  readonly gaining: TierCounts;
}

export interface EntitlementGap {
  /** The highest tier among the user's subscriptions. */
  readonly subscribed: Tier;
  /** Why it does not count: its status (`past_due`, ...) or `period_ended`. */
  readonly reason: string;
  readonly effective: Tier;
  readonly users: number;
}

export interface SubscriberImpact {
  readonly users: number;
  readonly usersByTier: TierCounts;
  /** Users whose effective tier comes from an entitling subscription (active or trialing, period running). */
  readonly subscribersByTier: TierCounts;
  readonly models: readonly ModelAccessChange[];
  readonly gaps: readonly EntitlementGap[];
  /** Available models, in all. */
  readonly availableModels: number;
}

const zero = (): TierCounts => ({ free: 0, pro: 0, enterprise: 0 });
/** No policy: before the tier migration, every tier may use every model. */
const allowedBy = (policy: ModelPolicy | null): Tier[] => (policy ? TIERS.filter((t) => decideAccess(t, policy).allowed) : [...TIERS]);

interface Combo {
  readonly subs: string[];
  readonly n: number;
}

/** Users grouped by their subscriptions' (tier, status, period running) combination: few groups, exact counts. */
async function subscriptionCombos(client: pg.ClientBase, schema: string, now: Date): Promise<Combo[]> {
  const q = quoteIdent(schema);
  const { rows } = await client.query<{ subs: string[]; n: number }>(
    `SELECT subs, count(*)::int AS n FROM (
       SELECT coalesce(array_agg(s.tier::text || '|' || s.status::text || '|' || (s.current_period_end > $1)::text
                                 ORDER BY s.tier::text, s.status::text, s.current_period_end > $1) FILTER (WHERE s.id IS NOT NULL), '{}') AS subs
         FROM ${q}.users u LEFT JOIN ${q}.subscriptions s ON s.user_id = u.id GROUP BY u.id) x
      GROUP BY subs`,
    [now],
  );
  return rows;
}

/** Each available model's policy now (null: no tier columns) and the assignments the deployment seeds. */
async function modelPolicies(client: pg.ClientBase, schema: string, tierColumns: boolean): Promise<{ id: string; policy: ModelPolicy | null }[]> {
  const models = `${quoteIdent(schema)}.models`;
  const sql = tierColumns
    ? `SELECT id, required_tier::text AS "requiredTier", tier_restriction_mode AS "tierRestrictionMode", allowed_tiers::text[] AS "allowedTiers" FROM ${models} WHERE is_available ORDER BY id`
    : `SELECT id FROM ${models} WHERE is_available ORDER BY id`;
  const { rows } = await client.query<{ id: string } & Partial<ModelPolicy>>(sql);
  return rows.map((r) => ({ id: r.id, policy: tierColumns ? { requiredTier: r.requiredTier!, tierRestrictionMode: r.tierRestrictionMode!, allowedTiers: r.allowedTiers! } : null }));
}

const DEFAULT_POLICY: ModelPolicy = { requiredTier: 'free', tierRestrictionMode: 'minimum', allowedTiers: ['free', 'pro', 'enterprise'] };

export async function subscriberImpact(client: pg.ClientBase, o: { schema: string; tierColumns: boolean; assignments: TierAssignments; now: Date }): Promise<SubscriberImpact> {
  const usersByTier = zero();
  const subscribersByTier = zero();
  const gaps = new Map<string, EntitlementGap>();
  let users = 0;
  for (const combo of await subscriptionCombos(client, o.schema, o.now)) {
    const subs: SubscriptionLike[] = combo.subs.map((s) => {
      const [tier, status, running] = s.split('|');
      return { tier: tier!, status: status!, currentPeriodEnd: new Date(o.now.getTime() + (running === 'true' ? 1 : -1)) };
    });
    const given = subs.map((s) => ({ s, e: entitlement(s, o.now) }));
    const effective = given.reduce<Tier>((best, g) => (tierRank(g.e.tier) > tierRank(best) ? g.e.tier : best), 'free');
    users += combo.n;
    usersByTier[effective] += combo.n;
    if (given.some((g) => g.e.basis === 'entitled' && g.e.tier === effective)) subscribersByTier[effective] += combo.n;
    const top = given.filter((g) => TIERS.includes(g.s.tier as Tier)).sort((a, b) => tierRank(b.s.tier as Tier) - tierRank(a.s.tier as Tier))[0];
    if (top && tierRank(top.s.tier as Tier) > tierRank(effective)) {
      const reason = top.e.basis === 'period_ended' ? 'period_ended' : top.s.status;
      const key = `${top.s.tier}|${reason}`;
      const g = gaps.get(key);
      gaps.set(key, { subscribed: top.s.tier as Tier, reason, effective, users: (g?.users ?? 0) + combo.n });
    }
  }
  const models: ModelAccessChange[] = [];
  const policies = await modelPolicies(client, o.schema, o.tierColumns);
  for (const { id, policy } of policies) {
    const assigned = o.assignments[id];
    const before = allowedBy(policy);
    const after = allowedBy(assigned ?? policy ?? DEFAULT_POLICY);
    if (before.join() === after.join()) continue;
    const losing = zero();
    const gaining = zero();
    for (const t of TIERS) {
      if (before.includes(t) && !after.includes(t)) losing[t] = usersByTier[t];
      if (!before.includes(t) && after.includes(t)) gaining[t] = usersByTier[t];
    }
    models.push({ id, before, after, losing, gaining });
  }
  const order = (g: EntitlementGap) => -tierRank(g.subscribed) * 1e9 - g.users;
  return { users, usersByTier, subscribersByTier, models, gaps: [...gaps.values()].sort((a, b) => order(a) - order(b)), availableModels: policies.length };
}
