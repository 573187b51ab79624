/** The guide's "Monitoring and Alerting" thresholds: `tierctl monitor`'s defaults (kept here, free of imports, so the CLI's help can show them). */
export interface MonitorThresholds {
  /** Alert above this many tier denials in the last hour (guide: 100). */
  readonly maxDenialsPerHour: number;
  /** Alert above this average tier-check latency in ms (guide: 10). */
  readonly maxTierCheckMs: number;
  /** Alert below this model cache hit rate, 0..1 (guide: 0.8). */
  readonly minCacheHitRate: number;
}

export const GUIDE_THRESHOLDS: MonitorThresholds = { maxDenialsPerHour: 100, maxTierCheckMs: 10, minCacheHitRate: 0.8 };
