/**
 * Watches ACCESS EXCLUSIVE locks on `models`, held or waited for, without log_lock_waits.
 *
 * Method: a dedicated connection reads `pg_locks` back to back (one prepared statement, no
 * sleep); every sample carries the server's own `clock_timestamp()`, so the timing is
 * PostgreSQL's, not this process's event loop. One window per transaction (pid +
 * virtualtransaction): from the moment it started waiting (`waitstart`, exact, PG 14+) or,
 * if first seen already granted, from its first sample, to its last sample; a waiting
 * ACCESS EXCLUSIVE blocks new readers just as a granted one does, so wait and hold count
 * together. Resolution: a lock can have started up to one gap before its first sample and
 * ended up to one gap after its last, so each window is given as a lower bound (seen) and an
 * upper bound (widened to the neighbouring samples); the largest gap between two samples is
 * reported as the error bound. A lock shorter than one gap can be missed by the sampler.
 *
 * Cross-check, independent of sampling: a second connection reads from `models` back to
 * back, as the server's catalog loads do; the longest such read is how long a reader was
 * actually blocked behind the lock (queued behind a waiting ACCESS EXCLUSIVE included).
 */
import pg from 'pg';

export interface LockWindow {
  readonly pid: number;
  /** Seen from first to last sample (waitstart when it was first seen waiting). */
  readonly lowerMs: number;
  /** Widened to the samples either side: the lock cannot have lasted longer. */
  readonly upperMs: number;
  /** Exact time spent waiting (`waitstart` to the first sample that saw it granted), 0 if never seen waiting. */
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

const SAMPLE = `SELECT extract(epoch FROM clock_timestamp()) * 1000 AS at,
  coalesce(json_agg(json_build_object('pid', l.pid, 'tx', l.virtualtransaction, 'granted', l.granted,
    'waitstart', extract(epoch FROM l.waitstart) * 1000)), '[]') AS locks
  FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
  WHERE c.relname = 'models' AND c.relkind = 'r' AND l.mode = 'AccessExclusiveLock'
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

interface Seen {
  pid: number;
  prevAt: number;
  start: number;
  exactStart: boolean;
  last: number;
  next: number;
  grantedAt: number | null;
  waitstart: number | null;
}

const round = (ms: number) => Number(ms.toFixed(2));

export async function startLockSampler(databaseUrl: string, options: { probe?: boolean } = {}): Promise<LockSampler> {
  const connect = async (name: string) => {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: name });
    await client.connect();
    return client;
  };
  const client = await connect('tierctl-lock-sampler');
  await client.query(`PREPARE locks AS ${SAMPLE}`);
  const probe = options.probe === false ? undefined : await connect('tierctl-lock-probe');
  await probe?.query(`PREPARE probe AS SELECT count(*) FROM (SELECT 1 FROM models LIMIT 1) m`);
  const open = new Map<string, Seen>();
  const done: Seen[] = [];
  let running = true;
  let samples = 0;
  let first = Number.NaN;
  let prevAt = Number.NaN;
  let maxGap = 0;
  let readerMax = 0;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ at: string; locks: { pid: number; tx: string; granted: boolean; waitstart: number | null }[] }>('EXECUTE locks');
      const at = Number(rows[0]!.at);
      if (samples === 0) first = at;
      else maxGap = Math.max(maxGap, at - prevAt);
      samples += 1;
      const present = new Set<string>();
      for (const l of rows[0]!.locks) {
        const key = `${l.pid}:${l.tx}`;
        present.add(key);
        let w = open.get(key);
        if (!w) {
          const exact = !l.granted && l.waitstart !== null;
          w = { pid: l.pid, prevAt: samples === 1 ? at : prevAt, start: exact ? l.waitstart! : at, exactStart: exact, last: at, next: Number.NaN, grantedAt: null, waitstart: l.waitstart };
          open.set(key, w);
        }
        w.last = at;
        if (l.granted && w.grantedAt === null) w.grantedAt = at;
        if (!l.granted && l.waitstart !== null) w.waitstart = l.waitstart;
      }
      for (const [key, w] of open) {
        if (present.has(key)) continue;
        w.next = at;
        done.push(w);
        open.delete(key);
      }
      prevAt = at;
    }
  })();
  const probing = (async () => {
    while (running && probe) {
      const start = performance.now();
      await probe.query('EXECUTE probe');
      readerMax = Math.max(readerMax, performance.now() - start);
    }
  })();
  return {
    async stop() {
      running = false;
      await Promise.all([loop, probing]);
      await Promise.all([client.end(), probe?.end()]);
      for (const w of open.values()) done.push({ ...w, next: prevAt });
      const windows = done.map((w) => ({
        pid: w.pid,
        lowerMs: round(w.last - w.start),
        upperMs: round((Number.isNaN(w.next) ? w.last : w.next) - (w.exactStart ? w.start : w.prevAt)),
        waitedMs: round(w.waitstart === null ? 0 : (w.grantedAt ?? w.last) - w.waitstart),
      }));
      return {
        windows,
        samples,
        intervalMs: round(samples > 1 ? (prevAt - first) / (samples - 1) : Number.NaN),
        maxGapMs: round(maxGap),
        maxMs: Math.max(0, ...windows.map((w) => w.upperMs)),
        readerMaxMs: round(readerMax),
      };
    },
  };
}
