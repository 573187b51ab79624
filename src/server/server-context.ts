/** What the routes share: built once by buildApp. */
import type { Logger } from 'pino';
import type pg from 'pg';
import type { ApiLogWriter } from './api-log-writer.js';
import type { Authenticator } from './auth/authenticate.js';
import type { HashSlots } from './auth/hash-slots.js';
import type { LoginThrottle } from './auth/login-throttle.js';
import type { TokenService } from './auth/token-service.js';
import type { UserChanges } from './cache/user-changes.js';
import type { UserTierCache } from './cache/user-tier-cache.js';
import type { ServerMetrics } from './metrics.js';
import type { ModelService } from './model-service.js';
import type { ProviderRegistry } from './providers/provider.js';
import type { TierChecker } from './tier-check.js';

export interface ServerContext {
  readonly pool: pg.Pool;
  /** `?schema=`: every query names it. */
  readonly schema: string;
  readonly log: Logger;
  readonly metrics: ServerMetrics;
  readonly models: ModelService;
  readonly auth: Authenticator;
  readonly tokens: TokenService;
  readonly userTiers: UserTierCache;
  /** Subscription changes and deletions of users, as the cache invalidation learns of them. */
  readonly userChanges: UserChanges;
  readonly tierChecker: TierChecker;
  readonly providers: ProviderRegistry;
  readonly loginThrottle: LoginThrottle;
  readonly hashSlots: HashSlots;
  readonly apiLogs: ApiLogWriter;
  readonly now: () => Date;
}
