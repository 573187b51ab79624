/**
 * A user's effective tier, read from their subscriptions (never from a token). Used by the
 * server on every authenticated request (through its cache) and at login.
 */
import type pg from 'pg';
import { effectiveTierOf, type SubscriptionLike, type Tier } from '../tier/index.js';
import { qualified } from './sql.js';

export interface UserTier {
  /** `null` when the user does not exist (any more). */
  readonly tier: Tier | null;
  /** The end of the period of an entitling subscription: the tier may drop then. */
  readonly changesAt?: Date;
}

interface Row {
  tier: string | null;
  status: string | null;
  current_period_end: Date | null;
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
  const tier = effectiveTierOf(subscriptions, now);
  const ends = subscriptions.map((s) => s.currentPeriodEnd.getTime()).filter((t) => t > now.getTime());
  return ends.length > 0 ? { tier, changesAt: new Date(Math.min(...ends)) } : { tier };
}
