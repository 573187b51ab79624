/**
 * Prometheus metrics, one registry per app (two apps in one process do not share counts).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { METRICS } from '../shared/metric-names.js';

export interface ServerMetrics {
  readonly registry: Registry;
  /**
   * result: allowed | denied | shadow_denied (shadow mode let it through) | skipped (no tier
   * schema) | policy_unavailable (unreadable, none known: refused with 503).
   */
  readonly tierChecks: Counter<'result'>;
  readonly tierCheckDuration: Histogram<'result'>;
  /** result: hit | miss. */
  readonly modelCache: Counter<'result'>;
  readonly userTierCache: Counter<'result'>;
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly requestDuration: Histogram<'route'>;
  /** api_logs rows that could not be written (database down at flush and at shutdown). */
  readonly apiLogsDropped: Counter;
  /** Catalog reads whose tier policies could not be read while the ledger says the tier migration is applied. */
  readonly policyDegraded: Counter<'policies'>;
  /** 1 for where the policies in force come from (database, none, last_known, unavailable), 0 for the others. */
  readonly policySource: Gauge<'source'>;
  /** Logins refused with 429 login_busy (every hashing slot and the queue taken). */
  readonly loginsBusy: Counter;
}

export function createMetrics(options: { readonly defaultMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    tierChecks: new Counter({ name: METRICS.tierChecks, help: 'Tier access checks by result', labelNames: ['result'], registers }),
    tierCheckDuration: new Histogram({
      name: METRICS.tierCheckSeconds,
      help: 'Time spent on tier access checks: the user tier lookup (cache or database) and the policy decision',
      labelNames: ['result'],
      buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05],
      registers,
    }),
    modelCache: new Counter({ name: METRICS.modelCache, help: 'Model catalog cache lookups by result (hit, miss)', labelNames: ['result'], registers }),
    userTierCache: new Counter({ name: 'user_tier_cache_requests_total', help: 'User tier cache lookups by result (hit, miss)', labelNames: ['result'], registers }),
    requests: new Counter({ name: METRICS.httpRequests, help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'], registers }),
    requestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    apiLogsDropped: new Counter({ name: 'api_logs_dropped_total', help: 'api_logs rows that could not be written', registers }),
    policyDegraded: new Counter({
      name: 'tier_policy_degraded_total',
      help: 'Catalog reads that could not read the tier policies although the ledger says the tier migration is applied (policies: last_known kept, or unavailable)',
      labelNames: ['policies'],
      registers,
    }),
    policySource: new Gauge({ name: 'tier_policy_source', help: 'Where the tier policies in force come from: 1 for the current source', labelNames: ['source'], registers }),
    loginsBusy: new Counter({ name: 'login_busy_total', help: 'Logins refused with 429 because every password hashing slot and its queue were taken', registers }),
  };
}
