import { describe, expect, it } from 'vitest';
import { lintPolicy, policyHasErrors } from '../../src/tier/index.js';

const codes = (p: Parameters<typeof lintPolicy>[0]) => lintPolicy(p).map((f) => `${f.level}:${f.code}`);

describe('lintPolicy', () => {
  it('accepts the guide\'s assignments and the migration defaults', () => {
    expect(lintPolicy({ requiredTier: 'enterprise', tierRestrictionMode: 'minimum', allowedTiers: ['enterprise'] })).toEqual([]);
    expect(lintPolicy({ requiredTier: 'pro', tierRestrictionMode: 'minimum', allowedTiers: ['pro', 'enterprise'] })).toEqual([]);
    expect(lintPolicy({ requiredTier: 'pro', tierRestrictionMode: 'minimum', allowedTiers: ['enterprise', 'pro'] })).toEqual([]);
    expect(lintPolicy({ requiredTier: 'free', tierRestrictionMode: 'minimum', allowedTiers: ['free', 'pro', 'enterprise'] })).toEqual([]);
    expect(lintPolicy({ requiredTier: 'pro', tierRestrictionMode: 'exact', allowedTiers: ['pro'] })).toEqual([]);
    expect(lintPolicy({ requiredTier: 'free', tierRestrictionMode: 'whitelist', allowedTiers: ['free', 'enterprise'] })).toEqual([]);
  });

  it('flags minimum mode whose allowed_tiers disagree with the tiers at or above required', () => {
    expect(codes({ requiredTier: 'pro', tierRestrictionMode: 'minimum', allowedTiers: ['free', 'pro', 'enterprise'] })).toEqual(['error:allowed_tiers_disagree']);
    expect(codes({ requiredTier: 'pro', tierRestrictionMode: 'minimum', allowedTiers: ['pro'] })).toEqual(['error:allowed_tiers_disagree']);
  });

  it('flags exact mode whose allowed_tiers are not just the required tier', () => {
    expect(codes({ requiredTier: 'pro', tierRestrictionMode: 'exact', allowedTiers: ['pro', 'enterprise'] })).toEqual(['error:allowed_tiers_disagree']);
  });

  it('flags an empty whitelist, and a whitelist whose required tier is not its lowest', () => {
    expect(codes({ requiredTier: 'pro', tierRestrictionMode: 'whitelist', allowedTiers: [] })).toEqual(['error:empty_whitelist']);
    expect(codes({ requiredTier: 'pro', tierRestrictionMode: 'whitelist', allowedTiers: ['free', 'pro'] })).toEqual(['warning:required_tier_not_lowest_allowed']);
  });

  it('flags unknown modes, tiers and duplicates', () => {
    expect(codes({ requiredTier: 'pro', tierRestrictionMode: 'open', allowedTiers: ['pro'] })).toEqual(['error:unknown_mode']);
    expect(codes({ requiredTier: 'gold', tierRestrictionMode: 'minimum', allowedTiers: ['gold'] })).toEqual(['error:unknown_required_tier', 'error:unknown_allowed_tier']);
    expect(codes({ requiredTier: 'pro', tierRestrictionMode: 'minimum', allowedTiers: ['pro', 'pro', 'enterprise'] })).toContain('error:duplicate_allowed_tier');
  });

  it('policyHasErrors ignores warnings', () => {
    expect(policyHasErrors(lintPolicy({ requiredTier: 'pro', tierRestrictionMode: 'whitelist', allowedTiers: ['free', 'pro'] }))).toBe(false);
    expect(policyHasErrors(lintPolicy({ requiredTier: 'pro', tierRestrictionMode: 'whitelist', allowedTiers: [] }))).toBe(true);
  });
});
