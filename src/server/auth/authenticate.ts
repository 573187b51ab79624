/**
 * Who is calling: a Bearer token verified by the token service, and the user's tier from
 * the database (through the cache). A missing header is anonymous; anything else that is
 * not a valid token for an existing user is refused.
 */
import { performance } from 'node:perf_hooks';
import type { Tier } from '../../tier/index.js';
import type { UserTierCache } from '../cache/user-tier-cache.js';
import type { ServerMetrics } from '../metrics.js';
import type { TokenService } from './token-service.js';

export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'user'; readonly userId: string; readonly tier: Tier; readonly tierLookupMs: number }
  | { readonly kind: 'refused'; readonly code: 'invalid_token' | 'missing_token'; readonly message: string };

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-_.]+)[ \t]*$/i;
const MAX_HEADER = 8192;

export interface Authenticator {
  identify(authorization: string | undefined): Promise<Caller>;
}

export function createAuthenticator(tokens: TokenService, userTiers: UserTierCache, metrics: ServerMetrics): Authenticator {
  const refused = (message: string): Caller => ({ kind: 'refused', code: 'invalid_token', message });
  return {
    async identify(authorization) {
      if (authorization === undefined || authorization === '') return { kind: 'anonymous' };
      if (authorization.length > MAX_HEADER) return refused('Invalid authentication token');
      const match = BEARER.exec(authorization);
      if (!match) return refused('Authorization header must be "Bearer <token>"');
      const userId = await tokens.verify(match[1]!);
      if (!userId) return refused('Invalid or expired authentication token');
      const started = performance.now();
      const { entry, hit } = await userTiers.get(userId);
      const tierLookupMs = performance.now() - started;
      metrics.userTierCache.inc({ result: hit ? 'hit' : 'miss' });
      if (entry.tier === null) return refused('Invalid or expired authentication token');
      return { kind: 'user', userId, tier: entry.tier, tierLookupMs };
    },
  };
}
