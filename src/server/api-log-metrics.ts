/**
 * The api_logs accounting on /metrics, read from the writer at scrape time so the figures of
 * one scrape agree: `api_logs_rows_recorded_total` = `api_logs_rows_written_total` +
 * `api_logs_dropped_total` + `api_logs_rows_queued` (+ rows whose COMMIT outcome is unknown,
 * only after a forced shutdown).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ApiLogCounts } from './api-log-writer.js';

export const API_LOG_METRICS = {
  recorded: 'api_logs_rows_recorded_total',
  written: 'api_logs_rows_written_total',
  /** Overflow while the database was unreachable, rows the database rejected, rows abandoned at shutdown. */
  dropped: 'api_logs_dropped_total',
  queued: 'api_logs_rows_queued',
} as const;

export function registerApiLogMetrics(registry: Registry, counts: () => ApiLogCounts): void {
  const registers = [registry];
  const counter = (name: string, help: string, value: (c: ApiLogCounts) => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(value(counts()));
      },
    });
  counter(API_LOG_METRICS.recorded, 'Requests recorded for api_logs', (c) => c.recorded);
  counter(API_LOG_METRICS.written, 'api_logs rows written to the database', (c) => c.written);
  counter(API_LOG_METRICS.dropped, 'api_logs rows that will never be written: the queue was full while the database was unreachable, the database rejected them, or the server gave up at shutdown', (c) => c.dropped);
  new Gauge({
    name: API_LOG_METRICS.queued,
    help: 'api_logs rows waiting to be written (the batch in flight included)',
    registers,
    collect() {
      this.set(counts().queued);
    },
  });
}
