/**
 * The LISTEN half of cache invalidation: one dedicated PostgreSQL connection that LISTENs on
 * `tierctl_cache` and turns each notification into a cache invalidation, so a change made on
 * any instance (or in SQL) reaches every instance at commit.
 *
 * With a `probe`, LISTEN is proven rather than assumed: after connecting, and then every
 * `pingIntervalMs`, a NOTIFY with a fresh token is sent on `tierctl_cache_probe` through the
 * request pool (the way real changes travel) and must come back on this connection within
 * `probe.timeoutMs`. A probe that does not come back, twice, while the connection still
 * answers means LISTEN does not deliver here (a transaction pooler): `onUndelivered` is called and
 * this listener stops for good (cache-invalidation.ts then polls the change counter).
 *
 * While the connection is down no notification can arrive, so the caches are switched off
 * (`setLive(false)`: every request reads the database) until it is back; on reconnect they
 * start empty and the schema is read afresh. Reconnects back off exponentially; a ping (or
 * the probe) notices a connection that died silently. Nothing here ever throws into the server.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { quoteIdent } from '../../db/sql.js';
import type { CacheControl, ChangeListener } from './cache-control.js';
import { applyCacheChange, CACHE_CHANNEL, parseCacheNotification } from './cache-notification.js';

export const LISTENER_APPLICATION_NAME = 'tierctl-server-listener';
/** Probes travel here, so servers that do not probe (older versions) never see them. */
export const PROBE_CHANNEL = 'tierctl_cache_probe';

export interface ListenProbe {
  /** Sends `payload` on PROBE_CHANNEL the way changes travel (e.g. `SELECT pg_notify` through the request pool). */
  readonly send: (channel: string, payload: string) => Promise<unknown>;
  /** How long a probe may take to come back once committed (default 1 s). */
  readonly timeoutMs?: number;
  /** LISTEN is connected and answers, but our own NOTIFY did not come back. */
  readonly onUndelivered: () => void;
}

export interface PgChangeListenerOptions {
  readonly databaseUrl: string;
  readonly log: Logger;
  readonly channel?: string;
  readonly applicationName?: string;
  /** First reconnect delay (default 100 ms), doubled per failed attempt up to `retryMaxMs` (default 5 s). */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** Check the connection (or probe) this often (default 10 s); a ping that fails or hangs past `connectTimeoutMs` drops it. */
  readonly pingIntervalMs?: number;
  readonly connectTimeoutMs?: number;
  readonly probe?: ListenProbe;
}

export interface PgChangeListener extends ChangeListener {
  /** Whether it is listening right now (and, with a probe, proven to deliver). */
  readonly listening: boolean;
}

type ProbeOutcome = 'delivered' | 'undelivered' | 'failed';

export function createPgChangeListener(options: PgChangeListenerOptions): PgChangeListener {
  const { log, probe } = options;
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
  /** Probe tokens waiting to come back. */
  const awaited = new Map<string, () => void>();

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

  /** Ends `c`, leaving no LISTEN behind on a pooled server connection. */
  const release = (c: pg.Client) => {
    c.query('UNLISTEN *')
      .catch(() => {})
      .finally(() => c.end().catch(() => {}));
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

  const answers = async (c: pg.Client): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const ping = c.query('SELECT 1').then(
      () => true,
      () => false,
    );
    const ok = await Promise.race([ping, timeout]);
    clearTimeout(timer);
    return ok;
  };

  /** One NOTIFY with a fresh token; the wait starts once it is committed (a busy pool is not a lost notification). */
  const roundTrip = async (c: pg.Client, p: ListenProbe): Promise<ProbeOutcome> => {
    const token = randomUUID();
    let arrive!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    awaited.set(token, arrive);
    let timer: NodeJS.Timeout | undefined;
    try {
      await p.send(PROBE_CHANNEL, token);
      const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), p.timeoutMs ?? 1_000)));
      if (await Promise.race([arrived.then(() => true), timeout])) return 'delivered';
    } catch {
      return 'failed';
    } finally {
      awaited.delete(token);
      clearTimeout(timer);
    }
    return (await answers(c)) ? 'undelivered' : 'failed';
  };

  /** Undelivered twice in a row before concluding that LISTEN does not deliver here. */
  const proven = async (c: pg.Client, p: ListenProbe): Promise<ProbeOutcome> => {
    const first = await roundTrip(c, p);
    return first === 'undelivered' && client === c ? roundTrip(c, p) : first;
  };

  /** Pings `c`, or probes it when a probe is configured; acts on the outcome. */
  const check = async (c: pg.Client) => {
    if (!probe) {
      if (!(await answers(c))) lost(c, 'ping failed or timed out');
      return;
    }
    const outcome = await proven(c, probe);
    if (client !== c || closed) return;
    if (outcome === 'failed') lost(c, 'LISTEN probe failed');
    if (outcome === 'undelivered') {
      client = undefined;
      listening = false;
      closed = true;
      clearInterval(pingTimer);
      release(c);
      probe.onUndelivered();
    }
  };

  const connect = async (): Promise<void> => {
    if (closed) return;
    const c = new pg.Client({ connectionString: options.databaseUrl, application_name: options.applicationName ?? LISTENER_APPLICATION_NAME, connectionTimeoutMillis: timeoutMs, keepAlive: true });
    client = c;
    c.on('error', (e) => lost(c, e.message));
    c.on('end', () => lost(c, 'connection ended'));
    c.on('notification', (msg) => {
      if (client !== c) return;
      if (msg.channel === PROBE_CHANNEL) return awaited.get(msg.payload ?? '')?.();
      if (msg.channel !== channel || !caches) return;
      try {
        applyCacheChange(caches, parseCacheNotification(msg.payload));
      } catch (e) {
        log.error({ err: (e as Error).message }, 'Cache invalidation: could not apply a notification');
      }
    });
    try {
      await c.connect();
      await c.query(probe ? `LISTEN ${quoteIdent(channel)}; LISTEN ${quoteIdent(PROBE_CHANNEL)}` : `LISTEN ${quoteIdent(channel)}`);
    } catch (e) {
      lost(c, (e as Error).message);
      return;
    }
    if (client !== c) return; // lost or closed while connecting
    if (probe) {
      await check(c);
      if (client !== c) return; // the probe failed or did not come back
    }
    listening = true;
    const reconnected = failures > 0;
    failures = 0;
    // Whatever changed while nobody listened is unknown: start from empty caches and the real schema.
    caches?.setLive(true);
    if (reconnected) caches?.schemaChanged();
    pingTimer = setInterval(() => void check(c), options.pingIntervalMs ?? 10_000);
    pingTimer.unref();
    log.info({ channel, reconnected, proven: Boolean(probe) }, `Cache invalidation: listening on ${channel}`);
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
    get mode() {
      return listening ? 'listen' : 'off';
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
      await c?.query('UNLISTEN *').catch(() => {}); // a pooled server connection keeps no LISTEN of ours
      await c?.end().catch(() => {});
    },
  };
}
