/**
 * Prometheus metrics, one registry per app (two apps in one process do not share counts).
 * The ones updated on every request are fast-metrics.ts's, the others prom-client's.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { METRICS } from '../shared/metric-names.js';
import { FastCounter, FastHistogram } from './fast-metrics.js';

export interface ServerMetrics {
  readonly registry: Registry;
  /**
   * result: allowed | denied | shadow_denied (shadow mode let it through) | skipped (no tier
   * schema) | policy_unavailable (unreadable, none known: refused with 503).
   */
  readonly tierChecks: FastCounter<'result'>;
  readonly tierCheckDuration: FastHistogram<'result'>;
  /** result: hit | miss. */
  readonly modelCache: FastCounter<'result'>;
  readonly userTierCache: FastCounter<'result'>;
  readonly requests: FastCounter<'route' | 'method' | 'status'>;
  readonly requestDuration: FastHistogram<'route'>;
  /** Catalog reads whose tier policies could not be read while the ledger says the tier migration is applied. */
  readonly policyDegraded: Counter<'policies'>;
  /** 1 for where the policies in force come from (database, none, last_known, unavailable), 0 for the others. */
  readonly policySource: Gauge<'source'>;
  /** Reads the cache invalidation mode at each scrape: `cache_invalidation_mode{mode}` is 1 for it. */
  observeInvalidationMode(mode: () => string): void;
  /** Logins refused with 429 login_busy (every hashing slot and the queue taken). */
  readonly loginsBusy: Counter;
}

const INVALIDATION_MODES = ['listen', 'poll', 'off', 'none'] as const;

export function createMetrics(options: { readonly defaultMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let invalidationMode: () => string = () => 'none';
  new Gauge({
    name: 'cache_invalidation_mode',
    help: 'How caches learn about changes: 1 for the mode in force (listen: LISTEN/NOTIFY proven by a round trip; poll: the change counter; off: neither works, caches off; none: no listener)',
    labelNames: ['mode'],
    registers,
    collect() {
      const current = invalidationMode();
      for (const mode of INVALIDATION_MODES) this.set({ mode }, mode === current ? 1 : 0);
    },
  });
  return {
    observeInvalidationMode: (mode) => void (invalidationMode = mode),
    registry,
    tierChecks: new FastCounter(METRICS.tierChecks, 'Tier access checks by result', ['result'], registry),
    tierCheckDuration: new FastHistogram(
      METRICS.tierCheckSeconds,
      'Time spent on tier access checks: the user tier lookup (cache or database) and the policy decision',
      ['result'],
      [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05],
      registry,
    ),
    modelCache: new FastCounter(METRICS.modelCache, 'Model catalog cache lookups by result (hit, miss)', ['result'], registry),
    userTierCache: new FastCounter('user_tier_cache_requests_total', 'User tier cache lookups by result (hit, miss)', ['result'], registry),
    requests: new FastCounter(METRICS.httpRequests, 'HTTP requests by route, method and status', ['route', 'method', 'status'], registry),
    requestDuration: new FastHistogram(
      'http_request_duration_seconds',
      'HTTP request latency by route',
      ['route'],
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registry,
    ),
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
