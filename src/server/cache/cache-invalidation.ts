/**
 * The ChangeListener the server runs by default: LISTEN/NOTIFY when it is proven to deliver,
 * else polling the change counter, so that a subscription or model change reaches every
 * instance within a second either way.
 *
 * - With a direct URL (`DIRECT_URL`), LISTEN runs there (a session connection).
 * - Without one, LISTEN runs on `DATABASE_URL`, which may go through a transaction pooler
 *   where a LISTEN lands on a server connection that other clients share and notifications
 *   never come back. So each LISTEN is proven by a NOTIFY round trip at start and then every
 *   `probeIntervalMs`; when our own NOTIFY does not come back, the server switches to polling
 *   `tierctl_cache_version` every `pollIntervalMs` and stays there.
 *
 * `mode` says which is in force (`listen`, `poll`, or `off` while neither works: caches off).
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { CacheControl, ChangeListener, InvalidationMode } from './cache-control.js';
import { createChangeCounterPoller, type ChangeCounterPoller } from './change-counter-poller.js';
import { createPgChangeListener, type PgChangeListener } from './pg-change-listener.js';

export interface CacheInvalidationOptions {
  /** Requests' URL (maybe pooled): probes travel through `pool`, polls through this. */
  readonly databaseUrl: string;
  /** A session connection for LISTEN, when configured. */
  readonly directUrl?: string | null;
  readonly schema: string;
  /** The request pool: probes are sent the way changes travel. */
  readonly pool: pg.Pool;
  readonly log: Logger;
  /** Default 10 s. */
  readonly probeIntervalMs?: number;
  /** How long a probe may take to come back once committed (default 1 s). */
  readonly probeTimeoutMs?: number;
  /** Default 250 ms. */
  readonly pollIntervalMs?: number;
  readonly retryInitialMs?: number;
}

export interface CacheInvalidation extends ChangeListener {
  /** Resolves once the switch to polling (if one started) is done. */
  settled(): Promise<void>;
}

export function createCacheInvalidation(options: CacheInvalidationOptions): CacheInvalidation {
  const { log } = options;
  let caches: CacheControl | undefined;
  let poller: ChangeCounterPoller | undefined;
  let switching: Promise<void> | undefined;
  let closed = false;

  const switchToPolling = async () => {
    const where = options.directUrl ? 'DIRECT_URL' : 'DATABASE_URL';
    log.warn(
      { listenOn: where, pollEveryMs: options.pollIntervalMs ?? 250 },
      `Cache invalidation: a NOTIFY did not come back to our LISTEN on ${where} (a transaction pooler?); polling the change counter instead${options.directUrl ? '' : '. Set DIRECT_URL to a session connection to LISTEN there'}`,
    );
    await listener.close();
    if (closed) return;
    poller = createChangeCounterPoller({ databaseUrl: options.databaseUrl, schema: options.schema, log, intervalMs: options.pollIntervalMs });
    await poller.start(caches!);
  };

  const listener: PgChangeListener = createPgChangeListener({
    databaseUrl: options.directUrl ?? options.databaseUrl,
    log,
    pingIntervalMs: options.probeIntervalMs ?? 10_000,
    retryInitialMs: options.retryInitialMs,
    probe: {
      send: (channel, payload) => options.pool.query('SELECT pg_notify($1, $2)', [channel, payload]),
      timeoutMs: options.probeTimeoutMs ?? 1_000,
      onUndelivered: () => {
        switching ??= switchToPolling().catch((e: unknown) => log.error({ err: (e as Error).message }, 'Cache invalidation: could not start polling'));
      },
    },
  });

  return {
    get mode(): InvalidationMode {
      if (poller) return poller.mode;
      return listener.mode;
    },
    async start(target) {
      caches = target;
      await listener.start(target);
      await switching;
    },
    settled: async () => {
      await switching;
    },
    async close() {
      closed = true;
      await listener.close();
      await switching;
      await poller?.close();
    },
  };
}
