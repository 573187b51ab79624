/**
 * The Prometheus metrics the server exports on /metrics, named once: the server registers
 * them and `tierctl monitor` reads them.
 */
export const METRICS = {
  /** Counter, label `result`: allowed | denied | shadow_denied. */
  tierChecks: 'tierctl_tier_checks_total',
  /** Histogram (seconds) of the tier decision, user-tier lookup included. */
  tierCheckSeconds: 'tierctl_tier_check_duration_seconds',
  /** Counter, label `result`: hit | miss. */
  modelCache: 'tierctl_model_cache_total',
  /** Counter, labels `route`, `method`, `status`. */
  httpRequests: 'tierctl_http_requests_total',
} as const;
