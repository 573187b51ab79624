import { describe, expect, it } from 'vitest';
import { accessStatus, decideAccess, type ModelPolicy } from '../../src/tier/index.js';

// Expectations written out by hand from the design, not computed by the library.
const USER_TIERS = ['free', 'pro', 'enterprise'] as const;
const REQUIRED = ['free', 'pro', 'enterprise'] as const;
const SUBSETS: string[][] = [[], ['free'], ['pro'], ['enterprise'], ['free', 'pro'], ['free', 'enterprise'], ['pro', 'enterprise'], ['free', 'pro', 'enterprise']];

/** minimum: who gets in, by required tier. */
const MINIMUM_LETS_IN: Record<string, string[]> = { free: ['free', 'pro', 'enterprise'], pro: ['pro', 'enterprise'], enterprise: ['enterprise'] };
/** exact: only the required tier. */
const EXACT_LETS_IN: Record<string, string[]> = { free: ['free'], pro: ['pro'], enterprise: ['enterprise'] };
const MINIMUM_MESSAGE: Record<string, string> = {
  pro: 'Model access restricted: Requires Pro tier or higher',
  enterprise: 'Model access restricted: Requires Enterprise tier or higher',
};
const EXACT_MESSAGE: Record<string, string> = {
  free: 'Model access restricted: Available only to the Free tier',
  pro: 'Model access restricted: Available only to the Pro tier',
  enterprise: 'Model access restricted: Available only to the Enterprise tier',
};

const cases = USER_TIERS.flatMap((user) =>
  REQUIRED.flatMap((required) =>
    (['minimum', 'exact', 'whitelist'] as const).flatMap((mode) => SUBSETS.map((allowed) => ({ user, required, mode, allowed }))),
  ),
);

describe('decideAccess: every user tier x required tier x mode x allowed_tiers subset', () => {
  it('covers 216 combinations', () => expect(cases).toHaveLength(216));

  it.each(cases)('$user → required $required, $mode, allowed $allowed', ({ user, required, mode, allowed }) => {
    const policy: ModelPolicy = { requiredTier: required, tierRestrictionMode: mode, allowedTiers: allowed };
    const decision = decideAccess(user, policy);
    const expected = mode === 'minimum' ? MINIMUM_LETS_IN[required]!.includes(user) : mode === 'exact' ? EXACT_LETS_IN[required]!.includes(user) : allowed.includes(user);
    expect(decision.allowed).toBe(expected);
    expect(accessStatus(decision)).toBe(expected ? 'allowed' : 'upgrade_required');
    if (decision.allowed) return;
    if (mode === 'minimum') {
      expect(decision).toEqual({ allowed: false, reason: 'below_required_tier', requiredTier: required, message: MINIMUM_MESSAGE[required] });
    } else if (mode === 'exact') {
      expect(decision).toEqual({ allowed: false, reason: 'tier_not_exact', requiredTier: required, message: EXACT_MESSAGE[required] });
    } else {
      expect(decision.reason).toBe('tier_not_whitelisted');
      expect(decision.message.startsWith('Model access restricted: ')).toBe(true);
    }
  });
});

describe('decideAccess: the guide', () => {
  const claude = { requiredTier: 'pro', tierRestrictionMode: 'minimum', allowedTiers: ['pro', 'enterprise'] };
  it('denies a free user a Pro model with the guide message (test 3)', () => {
    expect(decideAccess('free', claude)).toEqual({
      allowed: false,
      reason: 'below_required_tier',
      requiredTier: 'pro',
      message: 'Model access restricted: Requires Pro tier or higher',
    });
  });
  it('allows pro and enterprise', () => {
    expect(decideAccess('pro', claude).allowed).toBe(true);
    expect(decideAccess('enterprise', claude).allowed).toBe(true);
  });
});

describe('decideAccess: whitelist messages name the tier to upgrade to', () => {
  it('names the lowest allowed tier above the caller', () => {
    const d = decideAccess('free', { requiredTier: 'pro', tierRestrictionMode: 'whitelist', allowedTiers: ['enterprise', 'pro'] });
    expect(d).toEqual({
      allowed: false,
      reason: 'tier_not_whitelisted',
      requiredTier: 'pro',
      message: 'Model access restricted: Available only to the Pro and Enterprise tiers',
    });
  });
  it('names the only allowed tier even when it is below the caller', () => {
    const d = decideAccess('enterprise', { requiredTier: 'free', tierRestrictionMode: 'whitelist', allowedTiers: ['free'] });
    expect(d).toEqual({ allowed: false, reason: 'tier_not_whitelisted', requiredTier: 'free', message: 'Model access restricted: Available only to the Free tier' });
  });
  it('says so when nobody is allowed', () => {
    const d = decideAccess('pro', { requiredTier: 'pro', tierRestrictionMode: 'whitelist', allowedTiers: [] });
    expect(d).toMatchObject({ allowed: false, reason: 'tier_not_whitelisted', message: 'Model access restricted: Not available to any tier' });
  });
  it('ignores unknown entries in allowed_tiers', () => {
    expect(decideAccess('pro', { requiredTier: 'pro', tierRestrictionMode: 'whitelist', allowedTiers: ['platinum'] }).allowed).toBe(false);
    expect(decideAccess('pro', { requiredTier: 'pro', tierRestrictionMode: 'whitelist', allowedTiers: ['platinum', 'pro'] }).allowed).toBe(true);
  });
});

describe('decideAccess fails closed on unknown values', () => {
  const open = { requiredTier: 'free', tierRestrictionMode: 'minimum', allowedTiers: ['free', 'pro', 'enterprise'] };
  it.each(['platinum', '', 'FREE', 'Pro', ' pro', 'enterprise\0'])('unknown user tier %j', (tier) => {
    expect(decideAccess(tier, open)).toMatchObject({ allowed: false, reason: 'unknown_user_tier' });
  });
  it.each(['MINIMUM', 'open', '', 'none', 'minimum '])('unknown mode %j, even for enterprise', (mode) => {
    const d = decideAccess('enterprise', { ...open, tierRestrictionMode: mode });
    expect(d).toMatchObject({ allowed: false, reason: 'unknown_mode' });
    expect(d.allowed === false && d.message).toContain(`'${mode}'`);
  });
  it.each(['minimum', 'exact'])('unknown required tier in %s mode', (mode) => {
    expect(decideAccess('enterprise', { requiredTier: 'gold', tierRestrictionMode: mode, allowedTiers: ['enterprise'] })).toMatchObject({
      allowed: false,
      reason: 'unknown_required_tier',
      requiredTier: 'gold',
    });
  });
});

describe('ordering properties', () => {
  const rank = { free: 0, pro: 1, enterprise: 2 } as const;
  it('in minimum mode a higher tier never loses access', () => {
    for (const required of REQUIRED) {
      for (const allowed of SUBSETS) {
        const policy = { requiredTier: required, tierRestrictionMode: 'minimum', allowedTiers: allowed };
        for (const a of USER_TIERS) {
          for (const b of USER_TIERS) {
            if (rank[b] >= rank[a] && decideAccess(a, policy).allowed) expect(decideAccess(b, policy).allowed).toBe(true);
          }
        }
      }
    }
  });
  it('in minimum mode allowed_tiers never changes the decision', () => {
    for (const required of REQUIRED) {
      for (const user of USER_TIERS) {
        const decisions = SUBSETS.map((allowed) => decideAccess(user, { requiredTier: required, tierRestrictionMode: 'minimum', allowedTiers: allowed }));
        expect(new Set(decisions.map((d) => JSON.stringify(d))).size).toBe(1);
      }
    }
  });
  it('the default policy (the migration\'s column defaults) lets every tier in', () => {
    const defaults = { requiredTier: 'free', tierRestrictionMode: 'minimum', allowedTiers: ['free', 'pro', 'enterprise'] };
    for (const user of USER_TIERS) expect(decideAccess(user, defaults).allowed).toBe(true);
  });
});
