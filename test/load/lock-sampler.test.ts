/**
 * The lock sampler the migration-under-traffic figure rests on, against locks whose span
 * the test knows from the client side: every bound it reports must contain the truth.
 */
import pg from 'pg';
import { expect, it } from 'vitest';
import { startLockSampler } from '../helpers/lock-sampler.js';
import { useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('baseline');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function session(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { client, pid: rows[0]!.pid };
}

it('sees a held and a waiting ACCESS EXCLUSIVE lock on models, with bounds that contain their real spans', async () => {
  const sampler = await startLockSampler(db().url);
  const a = await session(db().url);
  const b = await session(db().url);
  try {
    await a.client.query('BEGIN');
    const t0 = performance.now();
    await a.client.query('LOCK TABLE models IN ACCESS EXCLUSIVE MODE');
    const t1 = performance.now();
    await b.client.query('BEGIN');
    const bSent = performance.now();
    const bLocked = b.client.query('LOCK TABLE models IN ACCESS EXCLUSIVE MODE');
    for (;;) {
      const { rows } = await db().pool.query('SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted', [b.pid]);
      if (rows.length > 0) break;
      await sleep(5);
    }
    const tw = performance.now();
    await sleep(300);
    const t2 = performance.now();
    await a.client.query('COMMIT');
    const t3 = performance.now();
    await bLocked;
    await sleep(100);
    const tb2 = performance.now();
    await b.client.query('COMMIT');
    const tb3 = performance.now();
    const report = await sampler.stop();

    expect(report.samples).toBeGreaterThan(10);
    expect(report.windows.map((w) => w.pid).sort()).toEqual([a.pid, b.pid].sort());
    const wa = report.windows.find((w) => w.pid === a.pid)!;
    const wb = report.windows.find((w) => w.pid === b.pid)!;
    // a held the lock from some instant in [t0, t1] to one in [t2, t3].
    expect(wa.lowerMs).toBeLessThanOrEqual(t3 - t0);
    expect(wa.upperMs).toBeGreaterThanOrEqual(t2 - t1);
    expect(wa.upperMs - wa.lowerMs).toBeLessThanOrEqual(2 * report.maxGapMs + 0.01);
    expect(wa.waitedMs).toBe(0);
    // b waited from an instant in [bSent, tw] (waitstart, exact) until a committed, then held it until [tb2, tb3].
    expect(wb.lowerMs).toBeLessThanOrEqual(tb3 - bSent);
    expect(wb.upperMs).toBeGreaterThanOrEqual(tb2 - tw);
    expect(wb.upperMs - wb.lowerMs).toBeLessThanOrEqual(report.maxGapMs + 0.01);
    expect(wb.waitedMs).toBeGreaterThanOrEqual(t2 - tw);
    expect(wb.waitedMs).toBeLessThanOrEqual(t3 - bSent + report.maxGapMs);
    expect(report.maxMs).toBe(Math.max(wa.upperMs, wb.upperMs));
    // The probe's read of models was blocked from before tw until a committed, at least.
    expect(report.readerMaxMs).toBeGreaterThanOrEqual(t2 - tw);
  } finally {
    await Promise.all([a.client.end(), b.client.end()]);
  }
});

it('reports nothing when nobody locks models', async () => {
  const sampler = await startLockSampler(db().url, { probe: false });
  await db().pool.query('SELECT count(*) FROM models');
  await sleep(50);
  const report = await sampler.stop();
  expect(report.samples).toBeGreaterThan(1);
  expect(report.windows).toEqual([]);
  expect(report.maxMs).toBe(0);
  expect(report.readerMaxMs).toBe(0);
});
