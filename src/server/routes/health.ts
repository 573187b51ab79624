/**
 * GET /health: 200 `healthy` when `SELECT 1` answers within 2 s and the tier policies in
 * force are the database's own (or there are none, as the ledger records); 200 `degraded`
 * when the ledger says the tier migration is applied but its policies cannot be read
 * (`policies: last_known` or `unavailable`, see cache/policy-guard.ts); 503 `unhealthy`
 * when the database does not answer. Also says how cache invalidation works right now.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Catalog } from '../queries/model-catalog.js';
import { isDegraded } from '../cache/policy-guard.js';

const fields = {
  status: { type: 'string' },
  database: { type: 'string' },
  policies: { type: 'string' },
  cache_invalidation: { type: 'string' },
  timestamp: { type: 'string' },
} as const;

const healthSchema = {
  response: {
    '2xx': { type: 'object', properties: fields },
    '5xx': { type: 'object', properties: { ...fields, error: { type: 'string' } } },
  },
} as const;

export interface HealthDeps {
  readonly pool: pg.Pool;
  /** The catalog in force (cached; a degraded one is re-read at least every second). */
  readonly catalog: () => Promise<Catalog>;
  /** How caches learn about changes right now (e.g. `listen`, `poll`, `off`). */
  readonly cacheInvalidation: () => string;
  readonly timeoutMs?: number;
}

export function registerHealth(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/health', { schema: healthSchema }, async (request, reply) => {
    const timestamp = new Date().toISOString();
    const cache_invalidation = deps.cacheInvalidation();
    let catalog: Catalog;
    try {
      await withTimeout(deps.pool.query('SELECT 1'), deps.timeoutMs ?? 2000);
      catalog = await withTimeout(deps.catalog(), deps.timeoutMs ?? 2000);
    } catch (e) {
      request.log.warn({ err: (e as Error).message }, 'Health check: database unreachable');
      return reply.code(503).send({ status: 'unhealthy', database: 'disconnected', cache_invalidation, timestamp, error: 'database unreachable' });
    }
    return { status: isDegraded(catalog) ? 'degraded' : 'healthy', database: 'connected', policies: catalog.policies, cache_invalidation, timestamp };
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
