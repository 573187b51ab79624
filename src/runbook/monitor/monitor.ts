import type pg from 'pg';
import { withClient } from '../../db/pg-connect.js';
import { qualified } from '../../db/sql.js';
import type { DatabaseTarget } from '../../shared/database-target.js';
import { METRICS } from '../../shared/metric-names.js';
import type { MonitorThresholds } from '../../shared/monitor-thresholds.js';
import { ExitCode } from '../../shared/exit-codes.js';
import { err, failure, ok, type Result } from '../../shared/failure.js';
import { hasSample, sumSamples, type PromSample } from '../../shared/prometheus-text.js';
import { scrapeMetrics } from './scrape-metrics.js';

/**
 * `tierctl monitor`: the guide's "Monitoring and Alerting" section. Tier denials per hour
 * and request counts by status come from api_logs; tier-check latency from api_logs (or
 * /metrics without a database); the model cache hit rate from the server's /metrics.
 */
export interface MonitorOptions {
  readonly database?: DatabaseTarget;
  /** The API whose /metrics to read. */
  readonly apiUrl?: string;
  readonly thresholds: MonitorThresholds;
  readonly timeoutMs?: number;
}

export interface Alert {
  readonly id: 'tier_denials' | 'tier_check_latency' | 'cache_hit_rate';
  readonly title: string;
  /** null: not measured (with `note` saying why); an unmeasured figure never fires. */
  readonly value: number | null;
  readonly threshold: number;
  readonly comparison: 'above' | 'below';
  readonly firing: boolean;
  readonly source: 'api_logs' | 'metrics' | null;
  readonly note?: string;
}

/** A source that was given but could not be read (unreachable, timed out, not Prometheus text): its figures are not measured, the others stand. */
export interface UnmeasuredSource {
  readonly source: 'api_logs' | 'metrics';
  readonly reason: string;
}

export interface MonitorReport {
  readonly at: string;
  /** Sources given but not measured (the CLI exits 5 for them when no alert fires). */
  readonly notMeasured: readonly UnmeasuredSource[];
  readonly deniedPerHour: readonly { readonly hour: string; readonly count: number }[];
  readonly requestsByStatus: readonly { readonly status: number; readonly count: number }[];
  readonly alerts: readonly Alert[];
  readonly firing: number;
}

interface LogFigures {
  denialsLastHour: number;
  perHour: { hour: string; count: number }[];
  byStatus: { status: number; count: number }[];
  tierCheck: { avgMs: number | null; samples: number };
}

async function readLogs(client: pg.ClientBase, schema: string, database: string): Promise<Result<LogFigures>> {
  const apiLogs = qualified(schema, 'api_logs');
  const found = await client.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [apiLogs]);
  if (!found.rows[0]!.found) {
    return err(failure('api_logs_missing', `${database} has no table ${schema}.api_logs: not the API's database (or schema), or its migrations are not applied (tierctl migrate status)`, ExitCode.notMeasured));
  }
  const denied = `status_code = 403 AND error_code = 'model_access_restricted'`;
  // One after the other: one connection runs one query at a time (queued concurrent calls are
  // deprecated in pg 8 and an error in pg 9).
  const perHour = await client.query<{ hour: Date; n: string }>(
    `SELECT date_trunc('hour', created_at) AS hour, count(*) AS n FROM ${apiLogs} WHERE ${denied} AND created_at >= now() - interval '24 hours' GROUP BY hour ORDER BY hour DESC`,
  );
  const lastHour = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${apiLogs} WHERE ${denied} AND created_at >= now() - interval '1 hour'`);
  const byStatus = await client.query<{ status_code: number; n: string }>(
    `SELECT status_code, count(*) AS n FROM ${apiLogs} WHERE created_at >= now() - interval '1 hour' GROUP BY status_code ORDER BY status_code`,
  );
  const tier = await client.query<{ avg: number | null; n: string }>(`SELECT avg(tier_check_ms) AS avg, count(tier_check_ms) AS n FROM ${apiLogs} WHERE created_at >= now() - interval '1 hour'`);
  return ok({
    denialsLastHour: Number(lastHour.rows[0]!.n),
    perHour: perHour.rows.map((r) => ({ hour: r.hour.toISOString(), count: Number(r.n) })),
    byStatus: byStatus.rows.map((r) => ({ status: r.status_code, count: Number(r.n) })),
    tierCheck: { avgMs: tier.rows[0]!.avg, samples: Number(tier.rows[0]!.n) },
  });
}

function alert(a: Omit<Alert, 'firing'>): Alert {
  const firing = a.value !== null && (a.comparison === 'above' ? a.value > a.threshold : a.value < a.threshold);
  return { ...a, firing };
}

function metricsLatencyMs(samples: readonly PromSample[]): number | null {
  const count = sumSamples(samples, `${METRICS.tierCheckSeconds}_count`);
  return count > 0 ? (sumSamples(samples, `${METRICS.tierCheckSeconds}_sum`) / count) * 1000 : null;
}

/**
 * A source that could not be read: not measured (its figures null, with the reason) when the
 * other source was given, as the guide's monitoring keeps the figures it can read; alone, an
 * unreachable source is the failure itself (exit 3). A source that answers without its
 * figures (/metrics a 404 or an HTML page, a database without api_logs) is not measured even
 * alone (exit 5).
 */
function unmeasuredOf(source: UnmeasuredSource['source'], read: Result<unknown> | null, otherGiven: boolean): UnmeasuredSource | null {
  if (!read || read.ok) return null;
  const { exitCode, message } = read.failure;
  return exitCode === ExitCode.notMeasured || (exitCode === ExitCode.unreachable && otherGiven) ? { source, reason: `not measured: ${message}` } : null;
}

function cacheAlert(samples: readonly PromSample[] | null, t: MonitorThresholds, unmeasured: UnmeasuredSource | null): Alert {
  const base = { id: 'cache_hit_rate', title: 'Model cache hit rate', threshold: t.minCacheHitRate, comparison: 'below' } as const;
  if (unmeasured) return alert({ ...base, value: null, source: 'metrics', note: unmeasured.reason });
  if (!samples) return alert({ ...base, value: null, source: null, note: 'needs --api-url (read from /metrics)' });
  if (!hasSample(samples, METRICS.modelCache)) return alert({ ...base, value: null, source: 'metrics', note: `/metrics has no ${METRICS.modelCache}` });
  const hits = sumSamples(samples, METRICS.modelCache, { result: 'hit' });
  const total = hits + sumSamples(samples, METRICS.modelCache, { result: 'miss' });
  return alert({ ...base, value: total > 0 ? hits / total : null, source: 'metrics', ...(total > 0 ? {} : { note: 'no model lookups yet' }) });
}

export async function collectMonitor(options: MonitorOptions, deps: { signal?: AbortSignal; now?: () => Date } = {}): Promise<Result<MonitorReport>> {
  const t = options.thresholds;
  const [logs, samples] = await Promise.all([
    options.database ? withClient(options.database.url, (c) => readLogs(c, options.database!.schema, options.database!.redacted)).then((r) => (r.ok ? r.value : r)) : Promise.resolve(null),
    options.apiUrl ? scrapeMetrics(options.apiUrl, { timeoutMs: options.timeoutMs ?? 5000, ...(deps.signal ? { signal: deps.signal } : {}) }) : Promise.resolve(null),
  ]);
  const logsUnmeasured = unmeasuredOf('api_logs', logs, Boolean(options.apiUrl));
  const unmeasured = unmeasuredOf('metrics', samples, Boolean(options.database));
  if (logs && !logs.ok && !logsUnmeasured) return err(logs.failure);
  if (samples && !samples.ok && !unmeasured) return err(samples.failure);
  // Nothing measured at all and a target unreachable: that is the failure (exit 3), not a report of blanks.
  const unreachable = [logs, samples].find((r) => r && !r.ok && r.failure.exitCode === ExitCode.unreachable);
  if (logsUnmeasured && unmeasured && unreachable && !unreachable.ok) return err(unreachable.failure);
  const log = logs?.ok ? logs.value : null;
  const metrics = samples?.ok ? samples.value : null;
  const denials = { id: 'tier_denials', title: 'Tier access denials in the last hour', threshold: t.maxDenialsPerHour, comparison: 'above' } as const;
  const latency = { id: 'tier_check_latency', title: 'Average tier-check latency (ms)', threshold: t.maxTierCheckMs, comparison: 'above' } as const;
  const fromMetrics = metrics ? metricsLatencyMs(metrics) : null;
  const alerts = [
    log
      ? alert({ ...denials, value: log.denialsLastHour, source: 'api_logs' })
      : alert({ ...denials, value: null, source: logsUnmeasured ? 'api_logs' : null, note: logsUnmeasured?.reason ?? 'needs --database-url (read from api_logs)' }),
    log && log.tierCheck.samples > 0
      ? alert({ ...latency, value: log.tierCheck.avgMs, source: 'api_logs' })
      : fromMetrics !== null
        ? alert({ ...latency, value: fromMetrics, source: 'metrics' })
        : alert({ ...latency, value: null, source: null, note: log || metrics ? 'no tier checks recorded in the last hour' : (logsUnmeasured ?? unmeasured)?.reason ?? 'needs --database-url or --api-url' }),
    cacheAlert(metrics, t, unmeasured),
  ];
  return ok({
    at: (deps.now?.() ?? new Date()).toISOString(),
    notMeasured: [logsUnmeasured, unmeasured].filter((u): u is UnmeasuredSource => u !== null),
    deniedPerHour: log?.perHour ?? [],
    requestsByStatus: log?.byStatus ?? [],
    alerts,
    firing: alerts.filter((a) => a.firing).length,
  });
}
