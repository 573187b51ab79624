/**
 * Watches `pg_locks` for ACCESS EXCLUSIVE locks on `models`, held or waited for, from a
 * dedicated connection polling back to back. A lock's duration is first-seen to last-seen
 * plus one sampling interval (the error bound), per backend and state (waiting, granted).
 */
import pg from 'pg';

export interface LockWindow {
  readonly pid: number;
  readonly granted: boolean;
  readonly ms: number;
}

export interface LockSampler {
  /** Stops sampling; returns every lock seen and the sampling interval achieved. */
  stop(): Promise<{ readonly windows: readonly LockWindow[]; readonly samples: number; readonly intervalMs: number; readonly maxMs: number }>;
}

const QUERY = `SELECT l.pid, l.granted FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
  WHERE c.relname = 'models' AND l.mode = 'AccessExclusiveLock' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

export async function startLockSampler(databaseUrl: string): Promise<LockSampler> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'tierctl-lock-sampler' });
  await client.connect();
  await client.query(`PREPARE locks AS ${QUERY}`);
  const open = new Map<string, { pid: number; granted: boolean; first: number; last: number }>();
  const windows: { pid: number; granted: boolean; first: number; last: number }[] = [];
  let running = true;
  let samples = 0;
  const started = performance.now();
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ pid: number; granted: boolean }>('EXECUTE locks');
      const now = performance.now();
      samples += 1;
      const seen = new Set<string>();
      for (const r of rows) {
        const key = `${r.pid}:${r.granted}`;
        seen.add(key);
        const w = open.get(key);
        if (w) w.last = now;
        else open.set(key, { pid: r.pid, granted: r.granted, first: now, last: now });
      }
      for (const [key, w] of open) {
        if (!seen.has(key)) {
          windows.push(w);
          open.delete(key);
        }
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await client.end();
      windows.push(...open.values());
      const intervalMs = (performance.now() - started) / Math.max(1, samples);
      const result = windows.map((w) => ({ pid: w.pid, granted: w.granted, ms: Number((w.last - w.first + intervalMs).toFixed(2)) }));
      return { windows: result, samples, intervalMs: Number(intervalMs.toFixed(3)), maxMs: Math.max(0, ...result.map((w) => w.ms)) };
    },
  };
}
