/** The model and user-tier caches of one app, and the CacheControl the change listener drives. */
import type pg from 'pg';
import { hasTierColumns, loadCatalog } from '../../db/model-catalog.js';
import { loadUserTier } from '../../db/user-tier.js';
import type { AppOptions } from '../app-options.js';
import type { CacheControl } from './cache-control.js';
import { createModelCache, type ModelCache } from './model-cache.js';
import { createUserTierCache, type UserTierCache } from './user-tier-cache.js';

export interface Caches {
  readonly caches: CacheControl;
  readonly modelCache: ModelCache;
  readonly userTiers: UserTierCache;
  /**
   * Looks at the catalog (information_schema) for the tier columns; when they appeared or
   * went away since the last look, drops the cached catalog so the next request reads the
   * right shape. The app runs it every `schemaRecheckMs`.
   */
  recheckSchema(): Promise<void>;
}

export function createCaches(pool: pg.Pool, options: AppOptions, now: () => Date): Caches {
  // Which catalog query to run. A catalog read that meets undefined_column (rolled back
  // under us) falls back to the baseline query by itself and flips this.
  let expectTier = true;
  const modelCache = createModelCache(
    async () => {
      const catalog = await loadCatalog(pool, options.database.schema, expectTier);
      expectTier = catalog.tierSchema;
      return catalog;
    },
    { ttlMs: options.cache?.modelTtlMs ?? 60_000 },
  );
  const userTiers = createUserTierCache((userId) => loadUserTier(pool, options.database.schema, userId, now()), { ttlMs: options.cache?.userTierTtlMs ?? 30_000 });
  const caches: CacheControl = {
    invalidateModel: (id) => modelCache.invalidate(id),
    clearModels: () => modelCache.clear(),
    invalidateUserTier: (userId) => userTiers.invalidate(userId),
    clearUserTiers: () => userTiers.clear(),
    // The next load tries the tier query first and falls back by itself (42703) when the
    // columns are gone: no extra catalog query, and right whichever way the schema went.
    schemaChanged: () => {
      expectTier = true;
      modelCache.clear();
    },
    setLive: (live) => {
      modelCache.setLive(live);
      userTiers.setLive(live);
    },
  };
  const recheckSchema = async () => {
    const present = await hasTierColumns(pool, options.database.schema);
    if (present !== expectTier) {
      expectTier = present;
      modelCache.clear();
    }
  };
  return { caches, modelCache, userTiers, recheckSchema };
}
