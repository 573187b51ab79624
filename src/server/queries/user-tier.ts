/**
 * A user's effective tier, read from their subscriptions (never from a token), and why:
 * the subscription that decided it (its tier, status and period end) and the basis
 * (entitled, status not entitling, period ended, ...). Used by the server on every
 * authenticated request (through its cache, which logs each resolution as `getUserTier`)
 * and at login.
 */
import type pg from 'pg';
import { entitlement, tierRank, type EntitlementBasis, type SubscriptionLike, type Tier } from '../../tier/index.js';
import { qualified } from '../../db/sql.js';

/** The subscription that decided a tier, and how. */
export interface TierReason {
  readonly basis: EntitlementBasis;
  readonly subscription?: { readonly tier: string; readonly status: string; readonly periodEnd: Date };
}

export interface UserTier {
  /** `null` when the user does not exist (any more). */
  readonly tier: Tier | null;
  /** The end of the period of an entitling subscription: the tier may drop then. */
  readonly changesAt?: Date;
  /** Why this tier (absent when the user does not exist). */
  readonly reason?: TierReason;
}

interface Row {
  tier: string | null;
  status: string | null;
  current_period_end: Date | null;
}

/**
 * The highest tier any subscription gives at `now`; the reason is that subscription's, or,
 * when none entitles, the one whose period ends last (the most recent subscription).
 */
export function resolveUserTier(subscriptions: readonly SubscriptionLike[], now: Date): UserTier {
  let best: { tier: Tier; reason: TierReason } = { tier: 'free', reason: { basis: 'no_subscription' } };
  let latest: SubscriptionLike | undefined;
  for (const s of subscriptions) {
    const e = entitlement(s, now);
    const reason = { basis: e.basis, subscription: { tier: s.tier, status: s.status, periodEnd: s.currentPeriodEnd } };
    if (e.basis === 'entitled' && (best.reason.basis !== 'entitled' || tierRank(e.tier) > tierRank(best.tier))) best = { tier: e.tier, reason };
    if (!latest || s.currentPeriodEnd.getTime() > latest.currentPeriodEnd.getTime()) latest = s;
  }
  if (best.reason.basis !== 'entitled' && latest) {
    best = { tier: 'free', reason: { basis: entitlement(latest, now).basis, subscription: { tier: latest.tier, status: latest.status, periodEnd: latest.currentPeriodEnd } } };
  }
  const ends = subscriptions.map((s) => s.currentPeriodEnd.getTime()).filter((t) => t > now.getTime());
  return ends.length > 0 ? { ...best, changesAt: new Date(Math.min(...ends)) } : best;
}

/** One line for a log: `pro (subscription pro active, period ends 2026-01-01T00:00:00.000Z)`. */
export function describeUserTier(resolved: UserTier): string {
  if (resolved.tier === null || !resolved.reason) return 'user not found (token refused)';
  const { basis, subscription: s } = resolved.reason;
  if (!s) return `${resolved.tier} (no subscription)`;
  const period = s.periodEnd.toISOString();
  const what = `subscription ${s.tier} ${s.status}`;
  if (basis === 'entitled') return `${resolved.tier} (${what}, period ends ${period})`;
  if (basis === 'status_not_entitled') return `${resolved.tier} (${what}: status does not entitle, only active or trialing do; period ends ${period})`;
  if (basis === 'period_ended') return `${resolved.tier} (${what}: period ended ${period})`;
  return `${resolved.tier} (${what}: unknown tier; period ends ${period})`;
}

export async function loadUserTier(db: pg.Pool | pg.ClientBase, schema: string, userId: string, now: Date): Promise<UserTier> {
  const { rows } = await db.query<Row>(
    `SELECT s.tier::text AS tier, s.status::text AS status, s.current_period_end
       FROM ${qualified(schema, 'users')} u LEFT JOIN ${qualified(schema, 'subscriptions')} s ON s.user_id = u.id
      WHERE u.id = $1`,
    [userId],
  );
  if (rows.length === 0) return { tier: null };
  const subscriptions: SubscriptionLike[] = rows
    .filter((r) => r.tier !== null && r.status !== null && r.current_period_end !== null)
    .map((r) => ({ tier: r.tier!, status: r.status!, currentPeriodEnd: r.current_period_end! }));
  return resolveUserTier(subscriptions, now);
}
