/**
 * Model lookups for the routes: the cached catalog, exact id matching (no trimming, no case
 * folding: `GPT-5` is an unknown model, not a way around `gpt-5`), the guide's log lines,
 * cache metrics, and a log line whenever the tier schema appears or disappears.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import type { Catalog, CatalogModel } from '../db/model-catalog.js';
import type { ModelCache } from './cache/model-cache.js';
import type { ServerMetrics } from './metrics.js';

export interface ModelService {
  catalog(): Promise<Catalog>;
  /** The model with exactly this id, or undefined. */
  find(id: string, log: FastifyBaseLogger): Promise<CatalogModel | undefined>;
}

export function createModelService(cache: ModelCache, metrics: ServerMetrics, log: Logger): ModelService {
  let initialized = false;
  let tierSchema: boolean | undefined;
  const observe = (catalog: Catalog, hit: boolean) => {
    metrics.modelCache.inc({ result: hit ? 'hit' : 'miss' });
    if (hit) return;
    if (!initialized) {
      initialized = true;
      log.info({ models: catalog.models.length, tierSchema: catalog.tierSchema }, 'ModelService: Initialized');
    }
    if (tierSchema !== catalog.tierSchema) {
      if (catalog.tierSchema) log.info({ models: catalog.models.length }, 'Tier schema present: tier fields served and tier access enforced');
      else log.warn('Tier schema absent (models has no tier columns): serving models without tier fields, tier access not enforced');
      tierSchema = catalog.tierSchema;
    }
  };
  const catalog = async () => {
    const { catalog: c, hit } = await cache.get();
    observe(c, hit);
    return c;
  };
  return {
    catalog,
    async find(id, requestLog) {
      const { catalog: c, hit } = await cache.get();
      observe(c, hit);
      const model = c.byId.get(id);
      if (model && hit) requestLog.info({ modelId: model.id }, 'Returning cached model');
      return model;
    },
  };
}
