/**
 * Records every request in api_logs without slowing it down: rows are queued in memory and
 * written in batches (every `flushIntervalMs`, or at once when `maxBatch` are queued). A
 * failed write keeps its rows for the next attempt; `close` writes whatever is left.
 */
import type { Logger } from 'pino';
import type pg from 'pg';
import { insertApiLogs, type ApiLogRow } from '../db/api-logs.js';

export interface ApiLogWriter {
  record(row: ApiLogRow): void;
  /** Writes everything queued so far. */
  flush(): Promise<void>;
  /** Stops the timer and flushes (retrying a few times); rows that still cannot be written are counted as dropped. */
  close(): Promise<void>;
}

export interface ApiLogWriterOptions {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly log: Logger;
  readonly flushIntervalMs: number;
  readonly maxBatch: number;
  /** Rows kept while the database is down; older ones are dropped beyond this. */
  readonly maxQueued?: number;
  readonly onDropped?: (count: number) => void;
}

export function createApiLogWriter(options: ApiLogWriterOptions): ApiLogWriter {
  const maxQueued = options.maxQueued ?? 100_000;
  let queue: ApiLogRow[] = [];
  let running: Promise<void> | undefined;
  let scheduled = false;
  let failures = 0;
  const drop = (count: number) => {
    if (count <= 0) return;
    options.onDropped?.(count);
    options.log.error({ count }, 'api_logs rows dropped');
  };
  const writeAll = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, options.maxBatch * 5);
      try {
        await insertApiLogs(options.pool, options.schema, batch);
      } catch (e) {
        failures += 1;
        if (failures === 1 || failures % 20 === 0) options.log.warn({ err: (e as Error).message, queued: queue.length }, 'api_logs write failed; will retry');
        throw e;
      }
      failures = 0;
      queue = queue.slice(batch.length);
    }
  };
  const flush = (): Promise<void> => {
    running ??= writeAll().finally(() => {
      running = undefined;
    });
    return running;
  };
  const background = () => {
    scheduled = false;
    flush().catch(() => {});
  };
  const timer = setInterval(background, options.flushIntervalMs);
  timer.unref();
  return {
    record(row) {
      queue.push(row);
      if (queue.length > maxQueued) {
        const excess = queue.length - maxQueued;
        queue = queue.slice(excess);
        drop(excess);
      }
      if (queue.length >= options.maxBatch && !scheduled) {
        scheduled = true;
        setImmediate(background);
      }
    },
    async flush() {
      if (running) await running.catch(() => {});
      await flush();
    },
    async close() {
      clearInterval(timer);
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          if (running) await running.catch(() => {});
          await flush();
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
        }
      }
      drop(queue.length);
      queue = [];
    },
  };
}
