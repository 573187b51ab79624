import { describe, expect, it } from 'vitest';
import { effectiveTier, effectiveTierOf, entitlement } from '../../src/tier/index.js';

const now = new Date('2025-11-08T12:00:00Z');
const future = new Date('2025-12-08T12:00:00Z');
const past = new Date('2025-11-01T00:00:00Z');

describe('effectiveTier', () => {
  it('no subscription is free', () => {
    expect(effectiveTier(null, now)).toBe('free');
    expect(effectiveTier(undefined, now)).toBe('free');
    expect(entitlement(null, now)).toEqual({ tier: 'free', basis: 'no_subscription' });
  });

  const table: [string, string, Date, string, string][] = [
    // tier, status, period end, expected tier, basis
    ['pro', 'active', future, 'pro', 'entitled'],
    ['enterprise', 'trialing', future, 'enterprise', 'entitled'],
    ['pro', 'past_due', future, 'free', 'status_not_entitled'],
    ['pro', 'cancelled', future, 'free', 'status_not_entitled'],
    ['enterprise', 'expired', future, 'free', 'status_not_entitled'],
    ['pro', 'ACTIVE', future, 'free', 'status_not_entitled'],
    ['pro', 'active', past, 'free', 'period_ended'],
    ['enterprise', 'trialing', past, 'free', 'period_ended'],
    ['pro', 'active', now, 'free', 'period_ended'],
    ['platinum', 'active', future, 'free', 'unknown_tier'],
    ['free', 'active', future, 'free', 'entitled'],
  ];
  it.each(table)('%s / %s / ends %s → %s (%s)', (tier, status, end, expected, basis) => {
    const sub = { tier, status, currentPeriodEnd: end };
    expect(effectiveTier(sub, now)).toBe(expected);
    expect(entitlement(sub, now).basis).toBe(basis);
  });

  it('depends on the time passed in, not the clock', () => {
    const sub = { tier: 'pro', status: 'active', currentPeriodEnd: new Date('2000-01-02T00:00:00Z') };
    expect(effectiveTier(sub, new Date('2000-01-01T23:59:59.999Z'))).toBe('pro');
    expect(effectiveTier(sub, new Date('2000-01-02T00:00:00Z'))).toBe('free');
  });
});

describe('effectiveTierOf', () => {
  it('takes the highest tier any current subscription gives', () => {
    const subs = [
      { tier: 'enterprise', status: 'expired', currentPeriodEnd: future },
      { tier: 'pro', status: 'active', currentPeriodEnd: future },
      { tier: 'enterprise', status: 'active', currentPeriodEnd: past },
    ];
    expect(effectiveTierOf(subs, now)).toBe('pro');
    expect(effectiveTierOf([], now)).toBe('free');
  });
});
