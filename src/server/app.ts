/**
 * The HTTP API: `buildApp` wires database, caches, providers and routes into a Fastify
 * instance and never listens (main.ts and the tests do). Closing the app stops accepting,
 * lets in-flight requests finish, flushes api_logs, stops the change listener, closes the
 * providers and ends the pool, in that order. By default the caches are kept right by
 * LISTEN/NOTIFY, or by polling the change counter where LISTEN does not deliver
 * (cache/cache-invalidation.ts).
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino from 'pino';
import { createPool } from '../db/pg-connect.js';
import { sessionUrl } from '../shared/database-target.js';
import { registerApiLogMetrics } from './api-log-metrics.js';
import { createApiLogWriter, type ApiLogCounts, type ApiLogShutdown } from './api-log-writer.js';
import type { AppOptions } from './app-options.js';
import { createAuthenticator } from './auth/authenticate.js';
import { createHashSlots } from './auth/hash-slots.js';
import { createLoginThrottle } from './auth/login-throttle.js';
import { createTokenService } from './auth/token-service.js';
import { createCaches } from './cache/create-caches.js';
import type { CacheControl } from './cache/cache-control.js';
import type { UserChanges } from './cache/user-changes.js';
import { createCacheInvalidation } from './cache/cache-invalidation.js';
import { registerErrorHandling } from './errors/error-handler.js';
import { trackClosing } from './graceful-close.js';
import { createMetrics } from './metrics.js';
import { createModelService } from './model-service.js';
import { createMockProvider } from './providers/mock.js';
import { createProviderRegistry } from './providers/provider.js';
import { registerRequestRecording } from './request-recording.js';
import { registerCompletions } from './routes/completions.js';
import { registerHealth } from './routes/health.js';
import { registerLogin } from './routes/login.js';
import { registerMetrics } from './routes/metrics.js';
import { registerModels } from './routes/models.js';
import type { ServerContext } from './server-context.js';
import { createTierChecker } from './tier-check.js';

export type { AppOptions } from './app-options.js';

/** What the server entry needs of the api_logs writer: its accounting, and giving up fast on a second signal. */
export interface ApiLogControl {
  counts(): ApiLogCounts;
  /** One last write attempt of at most `limitMs`, then the rest is abandoned (counted and logged). */
  hurry(limitMs?: number): Promise<ApiLogShutdown>;
}

/** The Fastify instance with the cache API the change listener (and tests) drive, the user changes it learns of, and its api_logs writer. */
export type TierApp = FastifyInstance & { readonly caches: CacheControl; readonly userChanges: UserChanges; readonly apiLogs: ApiLogControl };

export async function buildApp(options: AppOptions): Promise<TierApp> {
  const log = options.logger ?? pino({ level: 'silent' });
  const now = options.now ?? (() => new Date());
  const pool = createPool(options.database.url, { max: options.poolMax ?? 10, applicationName: 'tierctl-server' });
  pool.on('error', (e) => log.warn({ err: e.message }, 'Idle database connection error'));
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? false });
  const { schema } = options.database;
  const { caches, modelCache, userTiers, userChanges, recheckSchema } = createCaches(
    pool,
    options,
    now,
    { schema, onDegraded: (catalog) => metrics.policyDegraded.inc({ policies: catalog.policies }) },
    (e) => log.error({ err: (e as Error).message }, 'A user change listener failed'),
  );
  const changeListener =
    options.changeListener === false
      ? undefined
      : (options.changeListener ?? createCacheInvalidation({ databaseUrl: options.database.url, directUrl: options.database.directUrl, schema, pool, log, ...options.invalidation }));
  metrics.observeInvalidationMode(() => changeListener?.mode ?? 'none');
  let schemaTimer: NodeJS.Timeout | undefined;
  const tokens = createTokenService(options.jwt, now);
  userChanges.subscribe((change) => tokens.forget(change.kind === 'all' ? undefined : change.userId));
  // api_logs get their own connection: a slow batch never holds one the requests need.
  const logPool = createPool(options.database.url, { max: 1, applicationName: 'tierctl-server-api-logs' });
  logPool.on('error', (e) => log.warn({ err: e.message }, 'Idle api_logs connection error'));
  const apiLogs = createApiLogWriter({
    pool: logPool,
    schema: options.database.schema,
    log,
    flushIntervalMs: options.apiLogs?.flushIntervalMs ?? 500,
    maxBatch: options.apiLogs?.maxBatch ?? 1000,
    ...(options.apiLogs?.maxQueued === undefined ? {} : { maxQueued: options.apiLogs.maxQueued }),
    ...(options.apiLogs?.closeRetryMs === undefined ? {} : { closeRetryMs: options.apiLogs.closeRetryMs }),
  });
  registerApiLogMetrics(metrics.registry, apiLogs.counts);
  const ctx: ServerContext = {
    pool,
    schema: options.database.schema,
    log,
    metrics,
    models: createModelService(modelCache, metrics, log),
    auth: createAuthenticator(tokens, userTiers, metrics),
    tokens,
    userTiers,
    userChanges,
    tierChecker: createTierChecker(options.enforceTiers ?? true, metrics),
    providers: options.providers ?? createProviderRegistry([createMockProvider()]),
    loginThrottle: createLoginThrottle({ maxFailures: options.loginThrottle?.maxFailures ?? 5, windowMs: options.loginThrottle?.windowMs ?? 15 * 60_000 }),
    hashSlots: createHashSlots(options.loginThrottle?.maxConcurrentHashes ?? 4, options.loginThrottle?.maxQueuedHashes ?? 32),
    apiLogs,
    now,
  };
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    // The id sent back as x-request-id and stored in the request's api_logs row.
    genReqId: () => randomUUID(),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  app.decorate('caches', caches);
  app.decorate('userChanges', userChanges);
  app.decorate('apiLogs', { counts: apiLogs.counts, hurry: apiLogs.hurry } satisfies ApiLogControl);
  registerRequestRecording(app, ctx, trackClosing(app));
  registerErrorHandling(app);
  registerHealth(app, { pool, catalog: () => ctx.models.catalog(), cacheInvalidation: () => changeListener?.mode ?? 'none' });
  registerLogin(app, ctx);
  registerModels(app, ctx);
  registerCompletions(app, ctx);
  registerMetrics(app, metrics);
  app.addHook('onReady', async () => {
    await changeListener?.start(caches);
    // Load the catalog now (logs "ModelService: Initialized"); a database that is down
    // here is not fatal: requests retry the load.
    await ctx.models.catalog().catch((e: unknown) => log.warn({ err: (e as Error).message }, 'ModelService: catalog not loaded yet'));
    schemaTimer = setInterval(() => void recheckSchema().catch(() => {}), options.cache?.schemaRecheckMs ?? 2_000);
    schemaTimer.unref();
  });
  // onClose hooks run after Fastify's own (server closed, in-flight requests done).
  app.addHook('onClose', async () => {
    clearInterval(schemaTimer);
    await apiLogs.close();
    await logPool.end();
    await changeListener?.close();
    await ctx.providers.close();
    await pool.end();
  });
  return app as unknown as TierApp;
}
