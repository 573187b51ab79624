/** Which subscription decides a user's tier and how the `getUserTier` log line says why. */
import { describe, expect, it } from 'vitest';
import { describeUserTier, resolveUserTier } from '../../src/server/queries/user-tier.js';
import { effectiveTierOf } from '../../src/tier/index.js';

const now = new Date('2025-11-08T12:00:00Z');
const future = new Date('2025-12-08T12:00:00Z');
const later = new Date('2026-01-08T12:00:00Z');
const past = new Date('2025-11-01T00:00:00Z');
const sub = (tier: string, status: string, currentPeriodEnd: Date) => ({ tier, status, currentPeriodEnd });

describe('resolveUserTier', () => {
  it('gives the tier effectiveTierOf gives, with the deciding subscription', () => {
    const subs = [sub('pro', 'active', future), sub('enterprise', 'past_due', later), sub('free', 'active', later)];
    const r = resolveUserTier(subs, now);
    expect(r.tier).toBe(effectiveTierOf(subs, now));
    expect(r.reason).toEqual({ basis: 'entitled', subscription: { tier: 'pro', status: 'active', periodEnd: future } });
    expect(r.changesAt).toEqual(future);
    expect(describeUserTier(r)).toBe('pro (subscription pro active, period ends 2025-12-08T12:00:00.000Z)');
  });

  it('without an entitling subscription, names the latest one and why it does not count', () => {
    const lapsed = resolveUserTier([sub('pro', 'active', past), sub('enterprise', 'cancelled', future)], now);
    expect(lapsed).toMatchObject({ tier: 'free', reason: { basis: 'status_not_entitled', subscription: { tier: 'enterprise', status: 'cancelled' } } });
    expect(describeUserTier(lapsed)).toBe('free (subscription enterprise cancelled: status does not entitle, only active or trialing do; period ends 2025-12-08T12:00:00.000Z)');
    const ended = resolveUserTier([sub('pro', 'active', past)], now);
    expect(describeUserTier(ended)).toBe('free (subscription pro active: period ended 2025-11-01T00:00:00.000Z)');
    expect(ended.changesAt).toBeUndefined();
  });

  it('says when there is no subscription, or no user', () => {
    expect(describeUserTier(resolveUserTier([], now))).toBe('free (no subscription)');
    expect(describeUserTier({ tier: null })).toBe('user not found (token refused)');
  });
});
