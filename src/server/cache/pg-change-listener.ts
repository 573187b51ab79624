/**
 * The ChangeListener the server runs by default: one dedicated PostgreSQL connection that
 * LISTENs on `tierctl_cache` and turns each notification into a cache invalidation, so a
 * change made on any instance (or in SQL) reaches every instance at commit.
 *
 * While that connection is down no notification can arrive, so the caches are switched off
 * (`setLive(false)`: every request reads the database) until it is back; on reconnect they
 * start empty and the schema is read afresh. Reconnects back off exponentially; a ping
 * notices a connection that died silently. Nothing here ever throws into the server.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { quoteIdent } from '../../db/sql.js';
import type { CacheControl, ChangeListener } from './cache-control.js';
import { applyCacheChange, CACHE_CHANNEL, parseCacheNotification } from './cache-notification.js';

export const LISTENER_APPLICATION_NAME = 'tierctl-server-listener';

export interface PgChangeListenerOptions {
  readonly databaseUrl: string;
  readonly log: Logger;
  readonly channel?: string;
  readonly applicationName?: string;
  /** First reconnect delay (default 100 ms), doubled per failed attempt up to `retryMaxMs` (default 5 s). */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** Check the connection this often (default 10 s); a ping that fails or hangs past `connectTimeoutMs` drops it. */
  readonly pingIntervalMs?: number;
  readonly connectTimeoutMs?: number;
}

export interface PgChangeListener extends ChangeListener {
  /** Whether it is listening right now. */
  readonly listening: boolean;
}

export function createPgChangeListener(options: PgChangeListenerOptions): PgChangeListener {
  const { log } = options;
  const channel = options.channel ?? CACHE_CHANNEL;
  const retryInitialMs = options.retryInitialMs ?? 100;
  const retryMaxMs = options.retryMaxMs ?? 5_000;
  const timeoutMs = options.connectTimeoutMs ?? 5_000;
  let caches: CacheControl | undefined;
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let pingTimer: NodeJS.Timeout | undefined;
  let connecting: Promise<void> | undefined;

  const scheduleRetry = () => {
    if (closed || retryTimer) return;
    const delay = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(failures, 20)) * (0.8 + Math.random() * 0.4);
    failures += 1;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connecting = connectSafely();
    }, delay);
    retryTimer.unref();
  };

  /** The connection `c` is gone (error, end, failed ping): stop caching and reconnect. */
  const lost = (c: pg.Client, reason: string) => {
    if (client !== c) return;
    client = undefined;
    listening = false;
    clearInterval(pingTimer);
    caches?.setLive(false);
    c.end().catch(() => {});
    if (closed) return;
    log.warn({ reason }, 'Cache invalidation: LISTEN connection lost; caches off until it is back');
    scheduleRetry();
  };

  const ping = (c: pg.Client) => {
    const timer = setTimeout(() => lost(c, 'ping timed out'), timeoutMs);
    c.query('SELECT 1').then(
      () => clearTimeout(timer),
      (e: unknown) => (clearTimeout(timer), lost(c, (e as Error).message)),
    );
  };

  const connect = async (): Promise<void> => {
    if (closed) return;
    const c = new pg.Client({ connectionString: options.databaseUrl, application_name: options.applicationName ?? LISTENER_APPLICATION_NAME, connectionTimeoutMillis: timeoutMs, keepAlive: true });
    client = c;
    c.on('error', (e) => lost(c, e.message));
    c.on('end', () => lost(c, 'connection ended'));
    c.on('notification', (msg) => {
      if (client !== c || msg.channel !== channel || !caches) return;
      try {
        applyCacheChange(caches, parseCacheNotification(msg.payload));
      } catch (e) {
        log.error({ err: (e as Error).message }, 'Cache invalidation: could not apply a notification');
      }
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (e) {
      lost(c, (e as Error).message);
      return;
    }
    if (client !== c) return; // lost or closed while connecting
    listening = true;
    const reconnected = failures > 0;
    failures = 0;
    // Whatever changed while nobody listened is unknown: start from empty caches and the real schema.
    caches?.setLive(true);
    if (reconnected) caches?.schemaChanged();
    pingTimer = setInterval(() => ping(c), options.pingIntervalMs ?? 10_000);
    pingTimer.unref();
    log.info({ channel, reconnected }, `Cache invalidation: listening on ${channel}`);
  };

  /** connect() handles what the database does; this catches anything else (a bad URL...). */
  const connectSafely = () =>
    connect().catch((e: unknown) => {
      client = undefined;
      caches?.setLive(false);
      log.error({ err: (e as Error).message }, 'Cache invalidation: cannot start listening');
      scheduleRetry();
    });

  return {
    get listening() {
      return listening;
    },
    async start(target) {
      caches = target;
      connecting = connectSafely();
      await connecting;
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      clearInterval(pingTimer);
      await connecting?.catch(() => {});
      const c = client;
      client = undefined;
      listening = false;
      await c?.end().catch(() => {});
    },
  };
}
