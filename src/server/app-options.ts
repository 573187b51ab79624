/**
 * What `buildApp` needs. Everything has a default except the database and the JWT secret,
 * so tests override only what they exercise.
 */
import type { Logger } from 'pino';
import type { DatabaseTarget } from '../shared/database-target.js';
import type { ChangeListener } from './cache/cache-control.js';
import type { ProviderRegistry } from './providers/provider.js';

export interface JwtOptions {
  /** HS256 key, at least 32 bytes (main refuses shorter ones with exit 2). */
  readonly secret: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** Token lifetime (default 3600 s). */
  readonly ttlSeconds?: number;
}

export interface AppOptions {
  /** Requests and api_logs use `url`; LISTEN uses the direct URL when there is one; every query names `schema`. */
  readonly database: DatabaseTarget;
  readonly jwt: JwtOptions;
  /** `ENABLE_TIER_ENFORCEMENT` (default true). False: shadow mode, denials only logged and counted. */
  readonly enforceTiers?: boolean;
  /** Default: the mock provider for `mock` models, nothing else. */
  readonly providers?: ProviderRegistry;
  /**
   * Keeps the caches right across instances; started on ready, closed on close. Default:
   * LISTEN/NOTIFY on `tierctl_cache`, proven by a round trip, else polling the change counter
   * (cache/cache-invalidation.ts). `false`: none, cached entries expire by TTL only.
   */
  readonly changeListener?: ChangeListener | false;
  /** Timings of the default change listener (see CacheInvalidationOptions). */
  readonly invalidation?: { readonly probeIntervalMs?: number; readonly probeTimeoutMs?: number; readonly pollIntervalMs?: number };
  /** Default: silent. main.ts passes a pino logger writing JSON to stdout. */
  readonly logger?: Logger;
  readonly cache?: {
    /** Model catalog TTL (default 60 s; the change listener invalidates sooner). */
    readonly modelTtlMs?: number;
    /** User tier TTL (default 30 s; never past the subscription's period end). */
    readonly userTierTtlMs?: number;
    /** Look for the tier columns appearing or going away this often (default 2 s). */
    readonly schemaRecheckMs?: number;
  };
  readonly apiLogs?: {
    /** Write queued rows this often (default 500 ms). */
    readonly flushIntervalMs?: number;
    /** Rows per INSERT; written at once when this many are queued (default 1000). */
    readonly maxBatch?: number;
    /** Rows kept while the database is unreachable (default 100,000); beyond it the oldest waiting rows are dropped, counted. */
    readonly maxQueued?: number;
    /** How long a graceful shutdown keeps retrying to write the queued rows (default 5 s). */
    readonly closeRetryMs?: number;
  };
  readonly loginThrottle?: {
    /** Failed logins per email+IP allowed within the window (default 5). */
    readonly maxFailures?: number;
    readonly windowMs?: number;
    /** Logins hashing a password at once (default 4). */
    readonly maxConcurrentHashes?: number;
    /** Logins waiting for a hashing slot (default 32); beyond: 429 login_busy with Retry-After. */
    readonly maxQueuedHashes?: number;
  };
  /** Largest accepted request body (default 1 MiB); bigger ones get 413. */
  readonly bodyLimitBytes?: number;
  readonly poolMax?: number;
  /** Also export Node's process metrics (main.ts turns this on; tests leave it off). */
  readonly defaultMetrics?: boolean;
  readonly now?: () => Date;
}

export const DEFAULT_JWT_ISSUER = 'tierctl';
export const DEFAULT_JWT_AUDIENCE = 'tierctl-api';
export const MIN_JWT_SECRET_BYTES = 32;
