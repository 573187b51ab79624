/** The model and user-tier caches of one app, and the CacheControl the change listener drives. */
import type pg from 'pg';
import { hasTierColumns } from '../queries/model-catalog.js';
import { describeUserTier, loadUserTier } from '../queries/user-tier.js';
import type { AppOptions } from '../app-options.js';
import type { CacheControl } from './cache-control.js';
import { createModelCache, type ModelCache } from './model-cache.js';
import { createGuardedCatalogLoader, DEGRADED_CATALOG_TTL_MS, isDegraded, type GuardedCatalogOptions } from './policy-guard.js';
import { createUserChanges, type UserChanges } from './user-changes.js';
import { createUserTierCache, type UserTierCache } from './user-tier-cache.js';

export interface Caches {
  readonly caches: CacheControl;
  readonly modelCache: ModelCache;
  readonly userTiers: UserTierCache;
  /** Every user change the caches are told of, for other caches to follow (see user-changes.ts). */
  readonly userChanges: UserChanges;
  /**
   * Looks at the catalog (information_schema) for the tier columns; when they appeared or
   * went away since the last catalog read, drops the cached catalog so the next request
   * reads it afresh (and the policy guard decides what that means). The app runs it every
   * `schemaRecheckMs`. It never decides enforcement by itself.
   */
  recheckSchema(): Promise<void>;
}

export function createCaches(pool: pg.Pool, options: AppOptions, now: () => Date, guard: GuardedCatalogOptions, onListenerError?: (e: unknown) => void): Caches {
  const load = createGuardedCatalogLoader(pool, guard);
  // Whether the last catalog read found the tier columns.
  let tierSeen: boolean | undefined;
  const modelCache = createModelCache(
    async () => {
      const catalog = await load();
      tierSeen = catalog.tierSchema;
      return catalog;
    },
    { ttlMs: options.cache?.modelTtlMs ?? 60_000, ttlOf: (c) => (isDegraded(c) ? DEGRADED_CATALOG_TTL_MS : Number.POSITIVE_INFINITY) },
  );
  // Each resolution from the database is one line (the guide's troubleshooting greps
  // `getUserTier`): the tier and why. Cache hits reuse it and log nothing.
  const log = options.logger;
  const loadTier = async (userId: string) => {
    try {
      const resolved = await loadUserTier(pool, options.database.schema, userId, now());
      if (log?.isLevelEnabled('info')) {
        const s = resolved.reason?.subscription;
        const fields = { userId, tier: resolved.tier, basis: resolved.reason?.basis, ...(s ? { subscriptionTier: s.tier, status: s.status, periodEnd: s.periodEnd.toISOString() } : {}) };
        log.info(fields, `getUserTier: ${describeUserTier(resolved)}`);
      }
      return resolved;
    } catch (e) {
      log?.error({ userId, err: (e as Error).message }, 'getUserTier failed: the tier cannot be read (requests of this user fail until it can)');
      throw e;
    }
  };
  const userTiers = createUserTierCache(loadTier, { ttlMs: options.cache?.userTierTtlMs ?? 30_000 });
  const userChanges = createUserChanges(onListenerError);
  const caches: CacheControl = {
    invalidateModel: (id) => modelCache.invalidate(id),
    clearModels: () => modelCache.clear(),
    invalidateUserTier: (userId) => {
      userTiers.invalidate(userId);
      userChanges.emit({ kind: 'subscription', userId });
    },
    userDeleted: (userId) => {
      userTiers.invalidate(userId);
      userChanges.emit({ kind: 'deleted', userId });
    },
    clearUserTiers: () => {
      userTiers.clear();
      userChanges.emit({ kind: 'all' });
    },
    // The next load tries the tier query first and asks the ledger when the columns are gone.
    schemaChanged: () => modelCache.clear(),
    setLive: (live) => {
      modelCache.setLive(live);
      userTiers.setLive(live);
      userChanges.emit({ kind: 'all' });
    },
  };
  const recheckSchema = async () => {
    const present = await hasTierColumns(pool, options.database.schema);
    if (tierSeen !== undefined && present !== tierSeen) modelCache.clear();
  };
  return { caches, modelCache, userTiers, userChanges, recheckSchema };
}
