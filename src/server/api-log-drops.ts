/**
 * The log side of api_logs overflow: drops are gathered and reported at most once per flush
 * interval (and before each new batch), one error line per run of consecutive rows in
 * recording order, with its time range and first and last request id.
 */
import type { Logger } from 'pino';
import type { ApiLogRow } from './queries/api-logs.js';

export interface DropReporter {
  /** `count` rows dropped, the oldest `first`, the newest `last`. */
  note(count: number, first: ApiLogRow, last: ApiLogRow): void;
  /** Logs what was noted since the last report, if anything. */
  report(droppedTotal: number): void;
}

export function createDropReporter(log: Logger, maxQueued: number): DropReporter {
  let run: { count: number; first: ApiLogRow; last: ApiLogRow } | null = null;
  return {
    note(count, first, last) {
      run = run ? { count: run.count + count, first: run.first, last } : { count, first, last };
    },
    report(droppedTotal) {
      if (!run) return;
      const { count, first, last } = run;
      run = null;
      log.error(
        { count, droppedTotal, from: first.createdAt, to: last.createdAt, firstRequestId: first.requestId, lastRequestId: last.requestId, maxQueued },
        `api_logs: ${count} rows dropped (more than ${maxQueued} waiting while the database is unreachable); the oldest waiting rows go first`,
      );
    },
  };
}
