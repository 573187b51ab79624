import { describe, expect, it } from 'vitest';
import type { TestUser, TierAssignments } from '../../src/fixtures/fixture-schemas.js';
import { loadTestUsers, loadTierAssignments } from '../../src/fixtures/load-fixtures.js';
import { unwrap } from '../../src/shared/failure.js';
import { deriveExpectations, expectedStatus, expectedStatuses, fixtureUserTier } from '../../src/verify/expectations.js';

const guide = async () => ({ assignments: unwrap(await loadTierAssignments()), users: unwrap(await loadTestUsers()) });
const policy = (requiredTier: 'free' | 'pro' | 'enterprise', tierRestrictionMode: string, allowedTiers: ('free' | 'pro' | 'enterprise')[]) => ({ requiredTier, tierRestrictionMode, allowedTiers });

describe('expectations derived from the fixtures through the tier library', () => {
  it("the guide's assignments: claude-3.5-sonnet is the Pro model, gpt-5 the Enterprise one, one user per tier", async () => {
    const { assignments, users } = await guide();
    const e = deriveExpectations(assignments, users);
    expect(e).toMatchObject({ proModel: 'claude-3.5-sonnet', enterpriseModel: 'gpt-5', users: { free: 'free@example.com', pro: 'pro@example.com', enterprise: 'enterprise@example.com' } });
    expect(Object.fromEntries(expectedStatuses(e, 'pro'))).toEqual({ 'gpt-5': 'upgrade_required', 'claude-3.5-sonnet': 'allowed', 'gemini-2.0-pro': 'allowed' });
    expect(Object.fromEntries(expectedStatuses(e, 'free'))).toEqual({ 'gpt-5': 'upgrade_required', 'claude-3.5-sonnet': 'upgrade_required', 'gemini-2.0-pro': 'upgrade_required' });
  });

  it('editing an assignment changes what is expected and which model a check uses', async () => {
    const { assignments, users } = await guide();
    const edited: TierAssignments = { ...assignments, 'claude-3.5-sonnet': policy('free', 'minimum', ['free', 'pro', 'enterprise']) };
    const e = deriveExpectations(edited, users);
    expect(e.proModel).toBe('gemini-2.0-pro');
    expect(expectedStatuses(e, 'free').get('claude-3.5-sonnet')).toBe('allowed');
    const noPro = deriveExpectations({ 'gpt-5': assignments['gpt-5']!, open: policy('free', 'minimum', ['free', 'pro', 'enterprise']) }, users);
    expect(noPro).toMatchObject({ proModel: null, enterpriseModel: 'gpt-5' });
  });

  it('the Enterprise model is one free and pro are both denied (a whitelist open to free is not one)', () => {
    const e = deriveExpectations({ odd: policy('enterprise', 'whitelist', ['free', 'enterprise']), top: policy('enterprise', 'exact', ['enterprise']) }, []);
    expect(e.enterpriseModel).toBe('top');
    expect(deriveExpectations({ odd: policy('enterprise', 'whitelist', ['free', 'enterprise']) }, []).enterpriseModel).toBeNull();
  });

  it("users count by the tier their subscription gives: a cancelled Pro subscriber is free", async () => {
    const { users } = await guide();
    const now = new Date('2026-01-01T00:00:00Z');
    const cancelled: TestUser = { ...users[1]!, email: 'lapsed@example.com', subscription: { ...users[1]!.subscription, status: 'cancelled' } };
    expect(fixtureUserTier(cancelled, now)).toBe('free');
    expect(deriveExpectations({}, [cancelled, users[0]!], now).users).toEqual({ free: 'lapsed@example.com' });
  });

  it('a listed model outside the fixtures is judged by the policy it is listed with, or not at all without one', async () => {
    const { assignments, users } = await guide();
    const e = deriveExpectations(assignments, users);
    expect(expectedStatus(e, 'free', 'mini', { required_tier: 'free', tier_restriction_mode: 'minimum', allowed_tiers: ['free', 'pro', 'enterprise'] })).toBe('allowed');
    expect(expectedStatus(e, 'pro', 'x', { required_tier: 'enterprise', tier_restriction_mode: 'exact', allowed_tiers: ['enterprise'] })).toBe('upgrade_required');
    expect(expectedStatus(e, 'pro', 'x', { required_tier: 'pro' })).toBeNull();
    // A fixture model's own listing cannot talk verify out of the fixture's policy.
    expect(expectedStatus(e, 'pro', 'gpt-5', { required_tier: 'free', tier_restriction_mode: 'minimum', allowed_tiers: ['free'] })).toBe('upgrade_required');
  });
});
