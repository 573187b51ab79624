import type { ModelPolicy } from './model-policy.js';
import { TIERS, isTier, tierLabel, tierRank, type Tier } from './tiers.js';

export type DenialReason =
  | 'below_required_tier'
  | 'tier_not_exact'
  | 'tier_not_whitelisted'
  | 'unknown_user_tier'
  | 'unknown_mode'
  | 'unknown_required_tier';

export type AccessDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly reason: DenialReason;
      /** The tier to name in the 403 body's `required_tier`: what the caller would need. */
      readonly requiredTier: string;
      /** The message the API sends, e.g. `Model access restricted: Requires Pro tier or higher`. */
      readonly message: string;
    };

const ALLOWED: AccessDecision = Object.freeze({ allowed: true });
const PREFIX = 'Model access restricted: ';

function deny(reason: DenialReason, requiredTier: string, detail: string): AccessDecision {
  return { allowed: false, reason, requiredTier, message: PREFIX + detail };
}

/** The messages of `minimum` and `exact` denials, one string per tier (the server's 403 body is cached by them). */
const messagesByTier = (detail: (label: string) => string) => Object.fromEntries(TIERS.map((t) => [t, PREFIX + detail(tierLabel(t))])) as Record<Tier, string>;
const BELOW = messagesByTier((label) => `Requires ${label} tier or higher`);
const NOT_EXACT = messagesByTier((label) => `Available only to the ${label} tier`);

function listLabels(tiers: readonly Tier[]): string {
  const labels = tiers.map(tierLabel);
  return labels.length <= 1 ? labels.join('') : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}

/**
 * Whether a user of `userTier` may use a model with `policy`. Fails closed: an unknown
 * user tier, mode or required tier denies, each with its own reason.
 */
export function decideAccess(userTier: string, policy: ModelPolicy): AccessDecision {
  const mode = policy.tierRestrictionMode;
  if (!isTier(userTier)) {
    return deny('unknown_user_tier', policy.requiredTier, `Unknown subscription tier '${userTier}'`);
  }
  if (mode === 'whitelist') return decideWhitelist(userTier, policy.allowedTiers, policy.requiredTier);
  if (mode !== 'minimum' && mode !== 'exact') {
    return deny('unknown_mode', policy.requiredTier, `Unknown tier restriction mode '${mode}'`);
  }
  const required = policy.requiredTier;
  if (!isTier(required)) {
    return deny('unknown_required_tier', required, `Unknown required tier '${required}'`);
  }
  if (mode === 'minimum') {
    return tierRank(userTier) >= tierRank(required) ? ALLOWED : { allowed: false, reason: 'below_required_tier', requiredTier: required, message: BELOW[required] };
  }
  return userTier === required ? ALLOWED : { allowed: false, reason: 'tier_not_exact', requiredTier: required, message: NOT_EXACT[required] };
}

function decideWhitelist(userTier: Tier, allowedTiers: readonly string[], requiredTier: string): AccessDecision {
  const allowed = TIERS.filter((t) => allowedTiers.includes(t));
  if (allowed.includes(userTier)) return ALLOWED;
  if (allowed.length === 0) {
    return deny('tier_not_whitelisted', requiredTier, 'Not available to any tier');
  }
  // Name the tier the caller would upgrade to: the lowest allowed one above theirs.
  const upgrade = allowed.find((t) => tierRank(t) > tierRank(userTier)) ?? allowed[0]!;
  const detail = allowed.length === 1 ? `Available only to the ${tierLabel(upgrade)} tier` : `Available only to the ${listLabels(allowed)} tiers`;
  return deny('tier_not_whitelisted', upgrade, detail);
}
