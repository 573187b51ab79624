/**
 * The HTTP API: `buildApp` wires database, caches, providers and routes into a Fastify
 * instance and never listens (main.ts and the tests do). Closing the app finishes
 * in-flight requests, flushes api_logs, stops the change listener and ends the pool.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino from 'pino';
import { hasTierColumns, loadCatalog } from '../db/model-catalog.js';
import { createPool } from '../db/pg-connect.js';
import { loadUserTier } from '../db/user-tier.js';
import type { AppOptions } from './app-options.js';
import type { CacheControl } from './cache/cache-control.js';
import { createModelCache } from './cache/model-cache.js';
import { createUserTierCache } from './cache/user-tier-cache.js';
import { createMockProvider } from './providers/mock.js';
import { createProviderRegistry } from './providers/provider.js';
import { registerHealth } from './routes/health.js';

export type { AppOptions } from './app-options.js';

/** The Fastify instance with the cache API the change listener (and tests) drive. */
export type TierApp = FastifyInstance & { readonly caches: CacheControl };

export async function buildApp(options: AppOptions): Promise<TierApp> {
  const log = options.logger ?? pino({ level: 'silent' });
  const pool = createPool(options.databaseUrl, { max: options.poolMax ?? 10, applicationName: 'tierctl-server' });
  pool.on('error', (e) => log.warn({ err: e.message }, 'Idle database connection error'));
  const providers = options.providers ?? createProviderRegistry([createMockProvider()]);
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024 });
  const now = options.now ?? (() => new Date());
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
  app.decorate('caches', caches);
  registerHealth(app, { pool });
  app.addHook('onReady', async () => {
    await options.changeListener?.start(caches);
  });
  app.addHook('onClose', async () => {
    await options.changeListener?.close();
    await providers.close();
    await pool.end();
  });
  return app as unknown as TierApp;
}
