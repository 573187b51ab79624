/**
 * Who is calling: a Bearer token verified by the token service, and the user's tier from
 * the database (through the cache). A missing header is anonymous; anything else that is
 * not a valid token for an existing user is refused. A token remembered as verified and a
 * cached tier answer at once, without a promise (the per-request path: each await was a
 * microtask turn and allocations on every request).
 */
import { performance } from 'node:perf_hooks';
import type { Tier } from '../../tier/index.js';
import type { UserTierCache, UserTierEntry } from '../cache/user-tier-cache.js';
import type { ServerMetrics } from '../metrics.js';
import type { TokenService } from './token-service.js';

export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'user'; readonly userId: string; readonly tier: Tier; readonly tierLookupMs: number }
  | { readonly kind: 'refused'; readonly code: 'invalid_token' | 'missing_token'; readonly message: string };

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-_.]+)[ \t]*$/i;
const ANONYMOUS: Caller = { kind: 'anonymous' };
const HIT = { result: 'hit' } as const;
const MISS = { result: 'miss' } as const;
const MAX_HEADER = 8192;

export interface Authenticator {
  /** A Caller at once when nothing has to be waited for, else a promise of it. */
  identify(authorization: string | undefined): Caller | Promise<Caller>;
}

export function createAuthenticator(tokens: TokenService, userTiers: UserTierCache, metrics: ServerMetrics): Authenticator {
  const refused = (message: string): Caller => ({ kind: 'refused', code: 'invalid_token', message });
  const caller = (userId: string, entry: UserTierEntry, hit: boolean, started: number): Caller => {
    const tierLookupMs = performance.now() - started;
    metrics.userTierCache.inc(hit ? HIT : MISS);
    if (entry.tier === null) return refused('Invalid or expired authentication token');
    return { kind: 'user', userId, tier: entry.tier, tierLookupMs };
  };
  const verified = async (token: string): Promise<Caller> => {
    const userId = await tokens.verify(token);
    if (!userId) return refused('Invalid or expired authentication token');
    const started = performance.now();
    const { entry, hit } = await userTiers.get(userId);
    return caller(userId, entry, hit, started);
  };
  return {
    identify(authorization) {
      if (authorization === undefined || authorization === '') return ANONYMOUS;
      if (authorization.length > MAX_HEADER) return refused('Invalid authentication token');
      const match = BEARER.exec(authorization);
      if (!match) return refused('Authorization header must be "Bearer <token>"');
      const token = match[1]!;
      const userId = tokens.known(token);
      if (userId === undefined) return verified(token);
      const started = performance.now();
      const entry = userTiers.peek(userId);
      if (entry) return caller(userId, entry, true, started);
      return userTiers.get(userId).then(({ entry: loaded, hit }) => caller(userId, loaded, hit, started));
    },
  };
}
