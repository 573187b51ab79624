import { TIERS, isTier, tierRank, type Tier } from './tiers.js';

/** The subscription fields that decide a user's tier. */
export interface SubscriptionLike {
  readonly tier: string;
  readonly status: string;
  readonly currentPeriodEnd: Date;
}

/** Statuses that entitle a subscriber to their tier (while the period runs). */
export const ENTITLED_STATUSES: readonly string[] = ['active', 'trialing'];

export type EntitlementBasis = 'entitled' | 'no_subscription' | 'status_not_entitled' | 'period_ended' | 'unknown_tier';

export interface Entitlement {
  readonly tier: Tier;
  /** Why the subscription gives this tier (for `access explain` and logs). */
  readonly basis: EntitlementBasis;
}

/** The tier a subscription gives at `now`, and why. */
export function entitlement(subscription: SubscriptionLike | null | undefined, now: Date): Entitlement {
  if (!subscription) return { tier: 'free', basis: 'no_subscription' };
  if (!ENTITLED_STATUSES.includes(subscription.status)) return { tier: 'free', basis: 'status_not_entitled' };
  if (!(subscription.currentPeriodEnd.getTime() > now.getTime())) return { tier: 'free', basis: 'period_ended' };
  if (!isTier(subscription.tier)) return { tier: 'free', basis: 'unknown_tier' };
  return { tier: subscription.tier, basis: 'entitled' };
}

/**
 * The subscription's tier when its status is `active` or `trialing` and its period has
 * not ended at `now`; otherwise, or with no subscription, `free`.
 */
export function effectiveTier(subscription: SubscriptionLike | null | undefined, now: Date): Tier {
  return entitlement(subscription, now).tier;
}

/** A user with several subscriptions gets the highest tier any of them gives at `now`. */
export function effectiveTierOf(subscriptions: readonly SubscriptionLike[], now: Date): Tier {
  let best: Tier = TIERS[0];
  for (const s of subscriptions) {
    const tier = effectiveTier(s, now);
    if (tierRank(tier) > tierRank(best)) best = tier;
  }
  return best;
}
