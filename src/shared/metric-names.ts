/**
 * The Prometheus metrics the server exports on /metrics, named once: the server registers
 * them and `tierctl monitor` reads them.
 */
export const METRICS = {
  /** Counter, label `result`: allowed | denied | shadow_denied | skipped (no tier schema). */
  tierChecks: 'tier_checks_total',
  /** Histogram (seconds) of the tier decision, user-tier lookup included. */
  tierCheckSeconds: 'tier_check_duration_seconds',
  /** Counter, label `result`: hit | miss. */
  modelCache: 'model_cache_requests_total',
  /** Counter, labels `route`, `method`, `status`. */
  httpRequests: 'http_requests_total',
} as const;
