/**
 * Records every request in api_logs without slowing it down: rows are queued in memory and
 * written in batches (every `flushIntervalMs`, or at once when a batch is full), and every
 * recorded row is accounted for at every moment:
 *
 *     recorded = written + dropped + queued (+ commitUnknown, only after a forced shutdown)
 *
 * - One batch at a time is in flight, held apart from the queue. A failed write keeps it in
 *   flight and the next attempt retries that same batch first, in order; a write whose COMMIT
 *   answer was lost asks PostgreSQL whether it committed before writing again
 *   (api-log-batch.ts), so no row is written twice or taken for written.
 * - Beyond `maxQueued` rows held (queued + in flight), the oldest queued rows are dropped,
 *   never the batch in flight; each drop is counted and logged with the time range it covers.
 * - Rows the database rejects (SQLSTATE class 22/23: they can never be written) are dropped,
 *   counted and logged, so one bad row cannot block the log forever.
 * - `close` (graceful shutdown) retries for up to `closeRetryMs`; `hurry` (a second signal)
 *   makes one last attempt of at most `limitMs`. Either way what is left is counted as
 *   dropped and logged as abandoned, with how many rows are in neither state for sure.
 */
import type { Logger } from 'pino';
import type pg from 'pg';
import type { ApiLogRow } from './queries/api-logs.js';
import { isRejectedRows, writeBatch, type InFlightBatch } from './api-log-batch.js';
import { createDropReporter } from './api-log-drops.js';
import { RowQueue } from './row-queue.js';

export interface ApiLogCounts {
  /** Rows handed to `record`. */
  readonly recorded: number;
  readonly written: number;
  /** Dropped on overflow, rejected by the database, or abandoned at shutdown. */
  readonly dropped: number;
  /** Waiting to be written, the batch in flight included. */
  readonly queued: number;
  /** Abandoned at shutdown while their COMMIT's answer was outstanding: written or not, unknown. */
  readonly commitUnknown: number;
}

export interface ApiLogShutdown extends ApiLogCounts {
  /** Rows given up at shutdown (included in `dropped`). */
  readonly abandoned: number;
}

export interface ApiLogWriter {
  record(row: ApiLogRow): void;
  /** Writes everything queued so far; rejects when the database cannot take it now. */
  flush(): Promise<void>;
  counts(): ApiLogCounts;
  /** Graceful shutdown: stops the timer, writes what is queued (retrying up to `closeRetryMs`), gives up on the rest. */
  close(): Promise<ApiLogShutdown>;
  /** Second signal: one last write attempt of at most `limitMs` (the one running, or a new one), then gives up on the rest. */
  hurry(limitMs?: number): Promise<ApiLogShutdown>;
}

/** About 75 MB of rows. */
export const DEFAULT_API_LOGS_MAX_QUEUED = 100_000;

export interface ApiLogWriterOptions {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly log: Logger;
  readonly flushIntervalMs: number;
  /** Rows per INSERT; a full batch is written at once. */
  readonly maxBatch: number;
  /** Rows held (queued + in flight) while the database is unreachable; the oldest queued are dropped beyond it (default 100,000). */
  readonly maxQueued?: number;
  /** One write attempt (connect, insert, commit) gives up after this long (default 10 s). */
  readonly writeTimeoutMs?: number;
  /** How long `close` keeps retrying (default 5 s). */
  readonly closeRetryMs?: number;
}

export function createApiLogWriter(options: ApiLogWriterOptions): ApiLogWriter {
  const { pool, log, flushIntervalMs } = options;
  const maxQueued = options.maxQueued ?? DEFAULT_API_LOGS_MAX_QUEUED;
  const batchSize = Math.max(1, Math.min(options.maxBatch, maxQueued));
  const writeTimeoutMs = options.writeTimeoutMs ?? 10_000;
  const queue = new RowQueue<ApiLogRow>();
  let batch: InFlightBatch | null = null;
  let recorded = 0;
  let written = 0;
  let dropped = 0;
  let running: Promise<void> | undefined;
  let scheduled = false;
  let failures = 0;
  const drops = createDropReporter(log, maxQueued);
  /** When set: one last run allowed, attempts end by `deadline`. */
  let hurried = false;
  let deadline = Number.POSITIVE_INFINITY;
  let report: ApiLogShutdown | null = null;
  let wake: () => void = () => {};

  const counts = (): ApiLogCounts => ({ recorded, written, dropped, queued: queue.length + (batch?.rows.length ?? 0), commitUnknown: report?.commitUnknown ?? 0 });
  const reportDrops = () => drops.report(dropped);

  const noteFailure = (e: unknown) => {
    failures += 1;
    if (failures === 1 || failures % 20 === 0) log.warn({ err: (e as Error).message, failures, queued: counts().queued }, 'api_logs write failed; will retry (the batch in flight first)');
  };

  const writeAll = async (): Promise<void> => {
    for (;;) {
      if (report) throw new Error('api_logs writer closed');
      if (!batch) {
        if (queue.length === 0) return;
        reportDrops();
        batch = { rows: queue.take(batchSize), commitXid: null };
      }
      const current = batch;
      const timeoutMs = Math.max(1, Math.min(writeTimeoutMs, deadline - Date.now()));
      try {
        await writeBatch(pool, current, { schema: options.schema, timeoutMs, stopped: () => report !== null });
      } catch (e) {
        if (report || !isRejectedRows(e)) {
          if (!report) noteFailure(e);
          throw e;
        }
        dropped += current.rows.length;
        batch = null;
        log.error({ count: current.rows.length, code: (e as { code?: string }).code, err: (e as Error).message }, 'api_logs: rows rejected by the database, dropped');
        continue;
      }
      if (report) return; // given up meanwhile: already accounted for
      written += current.rows.length;
      batch = null;
      if (failures > 0) log.info({ failures }, 'api_logs writes resumed');
      failures = 0;
    }
  };

  const run = (): Promise<void> => {
    if (running) return running;
    if (report) return Promise.reject(new Error('api_logs writer closed'));
    running = writeAll().finally(() => {
      running = undefined;
    });
    return running;
  };

  const background = () => {
    scheduled = false;
    reportDrops();
    if (!hurried) run().catch(() => {});
  };
  const timer = setInterval(background, flushIntervalMs);
  timer.unref();

  /** Stops writing and counts what is left: queued rows as abandoned (dropped), a batch whose COMMIT is unanswered as unknown. */
  const giveUp = (): ApiLogShutdown => {
    if (report) return report;
    clearInterval(timer);
    reportDrops();
    const commitUnknown = batch?.commitXid ? batch.rows.length : 0;
    const abandoned = queue.length + (batch && !batch.commitXid ? batch.rows.length : 0);
    queue.take(queue.length);
    batch = null;
    dropped += abandoned;
    report = { recorded, written, dropped, queued: 0, commitUnknown, abandoned };
    wake();
    if (abandoned + commitUnknown === 0) log.info({ ...report }, `api_logs: all ${recorded} recorded rows accounted for (${written} written, ${dropped} dropped)`);
    else {
      const unknown = commitUnknown > 0 ? `, and ${commitUnknown} whose COMMIT was sent but not answered (written or not, unknown)` : '';
      log.error({ ...report }, `api_logs: ${abandoned} rows abandoned at shutdown (not written)${unknown}`);
    }
    return report;
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  let closing: Promise<ApiLogShutdown> | undefined;
  let hurrying: Promise<ApiLogShutdown> | undefined;
  let onHurry: () => void = () => {};
  /** Resolves when `hurry` is called: a graceful close stops waiting on its own attempts. */
  const hurryCalled = new Promise<void>((resolve) => (onHurry = resolve));
  return {
    record(row) {
      recorded += 1;
      if (report) {
        dropped += 1; // a request that finished after the writer gave up
        return;
      }
      queue.push(row);
      const excess = Math.min(queue.length + (batch?.rows.length ?? 0) - maxQueued, queue.length);
      if (excess > 0) {
        const ends = queue.drop(excess)!;
        dropped += excess;
        drops.note(excess, ends.first, ends.last);
      }
      // A full batch goes at once, unless writes are failing: then the timer paces the retries.
      if (queue.length >= batchSize && !scheduled && !running && !hurried && failures === 0) {
        scheduled = true;
        setImmediate(background);
      }
    },
    async flush() {
      if (running) await running.catch(() => {});
      await run();
    },
    counts,
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        // Attempts started from now on end by then; one already running is waited for until then.
        deadline = Date.now() + (options.closeRetryMs ?? 5_000);
        let t: NodeJS.Timeout | undefined;
        const timeUp = new Promise<void>((resolve) => (t = setTimeout(resolve, deadline - Date.now())));
        const within = (p: Promise<unknown>) => Promise.race([p, hurryCalled, timeUp]);
        while (!hurried && Date.now() < deadline) {
          try {
            if (running) await within(running.catch(() => {}));
            if (!hurried && Date.now() < deadline) await within(run());
            break;
          } catch {
            await within(pause(Math.min(flushIntervalMs, 200)));
          }
        }
        clearTimeout(t);
        // A second signal took over: its last attempt decides.
        return hurrying ?? giveUp();
      })();
      return closing;
    },
    hurry(limitMs = 1_000) {
      hurrying ??= (async () => {
        hurried = true;
        onHurry();
        deadline = Date.now() + limitMs;
        clearInterval(timer);
        wake();
        const last = running ?? run();
        let t: NodeJS.Timeout | undefined;
        await Promise.race([last.catch(() => {}), new Promise<void>((resolve) => (t = setTimeout(resolve, limitMs)))]);
        clearTimeout(t);
        return giveUp();
      })();
      return hurrying;
    },
  };
}
