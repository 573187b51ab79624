/**
 * The polling half of cache invalidation, for servers whose LISTEN does not deliver (a
 * transaction pooler and no DIRECT_URL): every `intervalMs` it reads
 * the sum of `tierctl_cache_version.version`, which the triggers of migration
 * 20251108000200_tier_cache_users_and_version bump once per transaction that changes
 * `models`, `subscriptions` or deletes from `users` (the sum moves when it commits). When it
 * moved, every cached model and user tier is dropped (it says that something changed, not what).
 *
 * A counter that cannot be read (the connection is down, or the migration is not applied)
 * switches the caches off until it can be read again; the first read after that starts
 * from empty caches and the real schema. Nothing here ever throws into the server.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { quoteIdent } from '../../db/sql.js';
import type { CacheControl, ChangeListener } from './cache-control.js';
import { LISTENER_APPLICATION_NAME } from './pg-change-listener.js';

export const COUNTER_TABLE = 'tierctl_cache_version';

export interface ChangeCounterPollerOptions {
  /** Any URL, pooled or not: one short query per poll. */
  readonly databaseUrl: string;
  /** The schema of the counter table (the connection's `?schema=`). */
  readonly schema: string;
  readonly log: Logger;
  /** Default 250 ms (the promise is ≤ 1 s for a change to reach every instance). */
  readonly intervalMs?: number;
  readonly applicationName?: string;
  /** Connect and query timeout (default 5 s). */
  readonly timeoutMs?: number;
}

export interface ChangeCounterPoller extends ChangeListener {
  /** The last version read, or undefined while it cannot be read. */
  readonly version: string | undefined;
}

export function createChangeCounterPoller(options: ChangeCounterPollerOptions): ChangeCounterPoller {
  const { log } = options;
  const intervalMs = options.intervalMs ?? 250;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const query = `SELECT coalesce(sum(version), 0)::text AS version FROM ${quoteIdent(options.schema)}.${quoteIdent(COUNTER_TABLE)}`;
  let caches: CacheControl | undefined;
  let client: pg.Client | undefined;
  let version: string | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  let lastProblem: string | undefined;

  const connected = async (): Promise<pg.Client> => {
    if (client) return client;
    const c = new pg.Client({
      connectionString: options.databaseUrl,
      application_name: options.applicationName ?? LISTENER_APPLICATION_NAME,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      keepAlive: true,
    });
    c.on('error', () => {
      if (client === c) client = undefined;
    });
    client = c;
    try {
      await c.connect();
    } catch (e) {
      client = undefined;
      await c.end().catch(() => {});
      throw e;
    }
    return c;
  };

  const unreadable = (problem: string) => {
    if (version !== undefined || lastProblem === undefined) caches?.setLive(false);
    if (problem !== lastProblem) log.warn({ problem }, 'Cache invalidation: the change counter cannot be read; caches off until it can');
    lastProblem = problem;
    version = undefined;
  };

  const pollOnce = async () => {
    let read: string | undefined;
    try {
      const c = await connected();
      read = (await c.query<{ version: string }>(query)).rows[0]?.version;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== '42P01') {
        const c = client;
        client = undefined;
        await c?.end().catch(() => {});
      }
      return unreadable(code === '42P01' ? `${options.schema}.${COUNTER_TABLE} does not exist (migration 20251108000200 not applied)` : (e as Error).message);
    }
    if (read === undefined) return unreadable(`${options.schema}.${COUNTER_TABLE} answered no row`);
    if (version === undefined) {
      // First read, or back after a gap: whatever changed meanwhile is unknown.
      caches?.setLive(true);
      caches?.schemaChanged();
      caches?.clearUserTiers();
      if (lastProblem !== undefined) log.info('Cache invalidation: the change counter is readable again; caches on');
      lastProblem = undefined;
    } else if (read !== version) {
      caches?.clearModels();
      caches?.clearUserTiers();
    }
    version = read;
  };

  const loop = () => {
    if (closed) return;
    timer = setTimeout(() => {
      polling = pollOnce().finally(loop);
    }, intervalMs);
    timer.unref();
  };

  return {
    get mode() {
      return version === undefined ? 'off' : 'poll';
    },
    get version() {
      return version;
    },
    async start(target) {
      caches = target;
      polling = pollOnce();
      await polling;
      log.info({ everyMs: intervalMs, counter: `${options.schema}.${COUNTER_TABLE}` }, 'Cache invalidation: polling the change counter');
      loop();
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await polling?.catch(() => {});
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
