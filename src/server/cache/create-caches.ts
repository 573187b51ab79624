/** The model and user-tier caches of one app, and the CacheControl the change listener drives. */
import type pg from 'pg';
import { hasTierColumns, loadCatalog } from '../../db/model-catalog.js';
import { loadUserTier } from '../../db/user-tier.js';
import type { AppOptions } from '../app-options.js';
import type { CacheControl } from './cache-control.js';
import { createModelCache, type ModelCache } from './model-cache.js';
import { createUserTierCache, type UserTierCache } from './user-tier-cache.js';

export function createCaches(pool: pg.Pool, options: AppOptions, now: () => Date): { caches: CacheControl; modelCache: ModelCache; userTiers: UserTierCache } {
  // Which catalog query to try first; a catalog read without the tier columns looks for
  // them again (information_schema) on its next load, every schemaRecheckMs at most.
  let expectTier = true;
  const modelCache = createModelCache(
    async () => {
      const catalog = await loadCatalog(pool, expectTier || (await hasTierColumns(pool)));
      expectTier = catalog.tierSchema;
      return catalog;
    },
    { ttlMs: options.cache?.modelTtlMs ?? 60_000, absentSchemaTtlMs: options.cache?.schemaRecheckMs ?? 2_000 },
  );
  const userTiers = createUserTierCache((userId) => loadUserTier(pool, userId, now()), { ttlMs: options.cache?.userTierTtlMs ?? 30_000 });
  const caches: CacheControl = {
    invalidateModel: (id) => modelCache.invalidate(id),
    clearModels: () => modelCache.clear(),
    invalidateUserTier: (userId) => userTiers.invalidate(userId),
    clearUserTiers: () => userTiers.clear(),
    setLive: (live) => {
      modelCache.setLive(live);
      userTiers.setLive(live);
    },
  };
  return { caches, modelCache, userTiers };
}
