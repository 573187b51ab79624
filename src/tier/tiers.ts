/** Subscription tiers, lowest first: the order is the rank used by `minimum` mode. */
export const TIERS = ['free', 'pro', 'enterprise'] as const;
export type Tier = (typeof TIERS)[number];

/** How a model restricts access (the `tier_restriction_mode` column). */
export const RESTRICTION_MODES = ['minimum', 'exact', 'whitelist'] as const;
export type RestrictionMode = (typeof RESTRICTION_MODES)[number];

const LABELS: Record<Tier, string> = { free: 'Free', pro: 'Pro', enterprise: 'Enterprise' };

export function isTier(value: unknown): value is Tier {
  return typeof value === 'string' && (TIERS as readonly string[]).includes(value);
}

export function isRestrictionMode(value: unknown): value is RestrictionMode {
  return typeof value === 'string' && (RESTRICTION_MODES as readonly string[]).includes(value);
}

/** 0 for free, 1 for pro, 2 for enterprise. */
export function tierRank(tier: Tier): number {
  return TIERS.indexOf(tier);
}

/** The tier's name as the guide's messages write it: `Pro`. */
export function tierLabel(tier: Tier): string {
  return LABELS[tier];
}

/** The tiers at or above `tier`, lowest first: what `minimum` mode lets in. */
export function tiersFrom(tier: Tier): Tier[] {
  return TIERS.slice(tierRank(tier));
}
