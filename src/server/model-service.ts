/**
 * Model lookups for the routes: the cached catalog, exact id matching (no trimming, no case
 * folding: `GPT-5` is an unknown model, not a way around `gpt-5`), the guide's log lines
 * (`Returning cached model` on every cache hit of a request, `Returning cached models` for a
 * listing: the guide's `grep "Returning cached model" | wc -l` counts both), cache metrics, and a log line (and the `tier_policy_source` gauge) whenever where the
 * policies come from changes: the tier schema appearing or going away, or turning unreadable.
 * While the cached catalog is fresh, `listing` and `find` answer at once, without a promise.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import type { Catalog, CatalogModel, PolicySource } from './queries/model-catalog.js';
import type { ModelCache } from './cache/model-cache.js';
import type { ServerMetrics } from './metrics.js';

const POLICY_SOURCES: readonly PolicySource[] = ['database', 'none', 'last_known', 'unavailable'];
const HIT = { result: 'hit' } as const;
const MISS = { result: 'miss' } as const;

export interface ModelService {
  catalog(): Promise<Catalog>;
  /** The catalog for a listing: a cache hit logs `Returning cached models` on `log`. */
  listing(log: FastifyBaseLogger): Catalog | Promise<Catalog>;
  /** The model with exactly this id, or undefined. */
  find(id: string, log: FastifyBaseLogger): CatalogModel | undefined | Promise<CatalogModel | undefined>;
}

export function createModelService(cache: ModelCache, metrics: ServerMetrics, log: Logger): ModelService {
  let initialized = false;
  let policies: PolicySource | undefined;
  const observe = (catalog: Catalog, hit: boolean) => {
    metrics.modelCache.inc(hit ? HIT : MISS);
    if (hit) return;
    if (!initialized) {
      initialized = true;
      log.info({ models: catalog.models.length, tierSchema: catalog.tierSchema, policies: catalog.policies }, 'ModelService: Initialized');
    } else log.info({ models: catalog.models.length, policies: catalog.policies }, 'ModelService: models read from the database (cache miss)');
    if (policies === catalog.policies) return;
    for (const source of POLICY_SOURCES) metrics.policySource.set({ source }, source === catalog.policies ? 1 : 0);
    const models = catalog.models.length;
    if (catalog.policies === 'database') log.info({ models }, 'Tier schema present: tier fields served and tier access enforced');
    else if (catalog.policies === 'none') log.warn('Tier schema absent (models has no tier columns, and the ledger records the tier migration as not applied or rolled back): serving models without tier fields, tier access not enforced');
    else if (catalog.policies === 'last_known') log.error({ models }, 'Tier policies unreadable but the ledger says the tier migration is applied: enforcing the last policies read (health: degraded)');
    else log.error({ models }, 'Tier policies unreadable but the ledger says the tier migration is applied, and none were read before: completions answer 503 policy_unavailable (health: degraded)');
    policies = catalog.policies;
  };
  const catalog = async () => {
    const { catalog: c, hit } = await cache.get();
    observe(c, hit);
    return c;
  };
  const listed = (c: Catalog, hit: boolean, requestLog: FastifyBaseLogger) => {
    observe(c, hit);
    if (hit) requestLog.info({ models: c.models.length }, 'Returning cached models');
    return c;
  };
  const found = (c: Catalog, hit: boolean, id: string, requestLog: FastifyBaseLogger) => {
    observe(c, hit);
    const model = c.byId.get(id);
    if (model && hit) requestLog.info({ modelId: model.id }, 'Returning cached model');
    return model;
  };
  return {
    catalog,
    listing(requestLog) {
      const cached = cache.peek();
      if (cached) return listed(cached, true, requestLog);
      return cache.get().then(({ catalog: c, hit }) => listed(c, hit, requestLog));
    },
    find(id, requestLog) {
      const cached = cache.peek();
      if (cached) return found(cached, true, id, requestLog);
      return cache.get().then(({ catalog: c, hit }) => found(c, hit, id, requestLog));
    },
  };
}
