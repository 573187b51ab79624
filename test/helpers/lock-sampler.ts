/**
 * Watches ACCESS EXCLUSIVE locks on `models`, held or waited for, without log_lock_waits.
 *
 * Method: a dedicated connection, driven from a worker thread of its own (the server and the
 * traffic in this process cannot delay it), reads `pg_locks` back to back (one prepared
 * statement, no sleep); every sample carries the server's own `clock_timestamp()`, so the timing is
 * PostgreSQL's, not this process's event loop. One window per backend while its lock stays
 * in view (not per virtualtransaction, which COMMIT clears while the lock is still listed): from the moment it started waiting (`waitstart`, exact, PG 14+) or,
 * if first seen already granted, from its first sample, to its last sample; a waiting
 * ACCESS EXCLUSIVE blocks new readers just as a granted one does, so wait and hold count
 * together. Resolution: a lock can have started up to one gap before its first sample and
 * ended up to one gap after its last, so each window is given as a lower bound (seen) and an
 * upper bound (widened to the neighbouring samples); the largest gap between two samples is
 * reported as the error bound. A lock shorter than one gap can be missed by the sampler.
 *
 * Cross-check, independent of sampling: a second connection reads from `models` back to
 * back, as the server's catalog loads do, each read timed by the server itself
 * (statement_timestamp() to clock_timestamp()); the longest is how long a reader was
 * actually blocked behind the lock (queued behind a waiting ACCESS EXCLUSIVE included).
 */
import { Worker } from 'node:worker_threads';

export interface LockWindow {
  readonly pid: number;
  /** The session's application_name and the statement it ran when first seen. */
  readonly app: string;
  readonly query: string;
  /** Seen from first to last sample (waitstart when it was first seen waiting). */
  readonly lowerMs: number;
  /** Widened to the samples either side: the lock cannot have lasted longer. */
  readonly upperMs: number;
  /**
   * Exact time spent waiting (`waitstart` to the first sample that saw it granted), 0 if never
   * seen waiting. PostgreSQL 13 has no `waitstart`: from the first sample that saw it waiting
   * (a lower bound, short by at most one gap), and its window starts at that sample too.
   */
  readonly waitedMs: number;
}

export interface LockReport {
  readonly windows: readonly LockWindow[];
  readonly samples: number;
  /** Mean and largest time between two samples (the largest is the error bound). */
  readonly intervalMs: number;
  readonly maxGapMs: number;
  /** The longest window's upper bound: the figure to hold against a goal. */
  readonly maxMs: number;
  /** The longest read of `models` by the probe connection (0 without a probe). */
  readonly readerMaxMs: number;
}

export interface LockSampler {
  /** Stops sampling and the probe; returns every lock seen. */
  stop(): Promise<LockReport>;
}

const WORKER = new URL('./lock-sampler-worker.mjs', import.meta.url);

/** Starts sampling (and the probe, unless `probe: false`); resolves after the first sample. */
export async function startLockSampler(databaseUrl: string, options: { probe?: boolean } = {}): Promise<LockSampler> {
  const worker = new Worker(WORKER, { workerData: { url: databaseUrl, probe: options.probe !== false } });
  let ready: () => void = () => {};
  const started = new Promise<void>((resolve) => (ready = resolve));
  const report = new Promise<LockReport>((resolve, reject) => {
    worker.on('message', (m: { type: 'ready' } | ({ type: 'report' } & LockReport)) => {
      if (m.type === 'ready') return ready();
      const { type: _type, ...r } = m;
      resolve(r);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`lock sampler exited ${code} without a report`)));
  });
  await Promise.race([started, report]);
  return {
    async stop() {
      worker.postMessage('stop');
      return report;
    },
  };
}
