import type { ModelPolicy } from './model-policy.js';
import { RESTRICTION_MODES, TIERS, isRestrictionMode, isTier, tiersFrom } from './tiers.js';

export type PolicyFindingCode =
  | 'unknown_mode'
  | 'unknown_required_tier'
  | 'unknown_allowed_tier'
  | 'duplicate_allowed_tier'
  | 'empty_whitelist'
  | 'allowed_tiers_disagree'
  | 'required_tier_not_lowest_allowed';

export interface PolicyFinding {
  /** `error`: the policy is incoherent and is refused by seed; `warning`: legal but misleading. */
  readonly level: 'error' | 'warning';
  readonly code: PolicyFindingCode;
  readonly message: string;
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x) => b.includes(x));

/**
 * Flags tier assignments that would not do what they seem to say. In `minimum` and
 * `exact` modes `allowed_tiers` is not consulted, so it must agree with what the mode
 * lets in; otherwise listings and the seed file mislead whoever reads them.
 */
export function lintPolicy(policy: ModelPolicy): PolicyFinding[] {
  const findings: PolicyFinding[] = [];
  const error = (code: PolicyFindingCode, message: string) => findings.push({ level: 'error', code, message });
  const { requiredTier: required, tierRestrictionMode: mode, allowedTiers: allowed } = policy;

  if (!isRestrictionMode(mode)) error('unknown_mode', `tier_restriction_mode '${mode}' is not one of ${RESTRICTION_MODES.join(', ')}`);
  if (!isTier(required)) error('unknown_required_tier', `required_tier '${required}' is not one of ${TIERS.join(', ')}`);
  for (const t of allowed.filter((t) => !isTier(t))) error('unknown_allowed_tier', `allowed_tiers contains unknown tier '${t}'`);
  if (new Set(allowed).size !== allowed.length) error('duplicate_allowed_tier', 'allowed_tiers lists a tier more than once');
  if (!isRestrictionMode(mode) || !isTier(required)) return findings;

  if (mode === 'whitelist') {
    const known = TIERS.filter((t) => allowed.includes(t));
    if (known.length === 0) error('empty_whitelist', 'whitelist mode with no allowed tier: nobody can use this model');
    else if (known[0] !== required) {
      findings.push({
        level: 'warning',
        code: 'required_tier_not_lowest_allowed',
        message: `whitelist mode: required_tier '${required}' is not the lowest allowed tier '${known[0]}'`,
      });
    }
    return findings;
  }
  const expected = mode === 'minimum' ? tiersFrom(required) : [required];
  if (!sameSet(allowed, expected)) {
    error('allowed_tiers_disagree', `${mode} mode lets in {${expected.join(',')}} but allowed_tiers says {${allowed.join(',')}}`);
  }
  return findings;
}

/** True when seed and the server should refuse the policy. */
export function policyHasErrors(findings: readonly PolicyFinding[]): boolean {
  return findings.some((f) => f.level === 'error');
}
