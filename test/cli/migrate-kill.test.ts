/**
 * `kill -9` of `tierctl migrate apply` and of `tierctl migrate rollback` at 20+ instants
 * each, spread over the whole run, stratified on a measured run: a third of the instants
 * during Node's start-up (timed from the spawn), two thirds during the work (timed from
 * the first progress line, up to 20% past the measured end), one random instant per
 * slice. The tier migration is slowed down (pg_sleep after its ALTER TABLE, and in its
 * down.sql after the DROP INDEXes) so that many kills land with the migration half done
 * inside its transaction. After every kill: no open ledger row, and the catalog is exactly
 * the one that goes with the migrations the ledger says are applied. Apply and rollback
 * are killed on two databases at the same time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogSnapshot } from '../../src/db/migrations/catalog-snapshot.js';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { slowTierMigrations } from '../helpers/migrations-dir.js';
import { apply, ledgerRows, rollback } from '../helpers/migrate.js';
import { phaseOf, runAndKill, waitForNoCliSessions, type KilledRun } from '../helpers/kill-cli.js';
import { catalogOf, createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const KILLS = 20;
let dir: string;
let names: string[];
let baselineCount: number;
/** refs[k]: the catalog after the baseline and the first k migrations after it. */
const refs: CatalogSnapshot[] = [];
const dbs: TestDatabase[] = [];

beforeAll(async () => {
  dir = await slowTierMigrations(0.15);
  const files = await loadMigrations(dir);
  names = files.map((f) => f.name);
  baselineCount = names.indexOf(TIER_MIGRATION);
  const reference = await createTestDatabase('baseline');
  try {
    refs.push(await catalogOf(reference));
    for (const f of files.slice(baselineCount)) {
      await reference.pool.query(f.sql);
      refs.push(await catalogOf(reference));
    }
  } finally {
    await reference.drop();
  }
});
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
});

async function rollbackAudits(db: TestDatabase): Promise<number> {
  const { rows } = await db.pool.query<{ found: boolean }>(`SELECT to_regclass('_tierctl_migration_rollbacks') IS NOT NULL AS found`);
  if (!rows[0]!.found) return 0;
  return (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM _tierctl_migration_rollbacks`)).rows[0]!.n;
}

/** Checks the invariants and returns k, how many migrations after the baseline are applied. */
async function consistentState(db: TestDatabase): Promise<number> {
  const rows = await ledgerRows(db);
  expect(rows.filter((r) => r.finished_at === null), 'open or failed ledger rows').toEqual([]);
  const applied = rows.filter((r) => r.rolled_back_at === null).map((r) => r.migration_name);
  const k = applied.length - baselineCount;
  expect(applied, 'the applied migrations are the baseline and a prefix of the rest').toEqual(names.slice(0, baselineCount + k));
  expect(await catalogOf(db), `catalog after ${k} migrations past the baseline`).toEqual(refs[k]);
  return k;
}

/** One unkilled run: how long start-up and the whole run take. */
async function measure(args: string[]): Promise<{ startup: number; total: number }> {
  const start = performance.now();
  const run = await runAndKill(args, 60_000);
  expect(run.code, run.stderr).toBe(0);
  return { startup: run.firstLineMs ?? 0, total: performance.now() - start };
}

/** The i-th of KILLS instants: random within its slice, and what it is timed from. */
function instant(i: number, span: { startup: number; total: number }): [number, 'spawn' | 'first-line'] {
  const early = Math.floor(KILLS / 3);
  if (i < early) return [((i + Math.random()) * span.startup) / early, 'spawn'];
  const work = (span.total - span.startup) * 1.2;
  return [((i - early + Math.random()) * work) / (KILLS - early), 'first-line'];
}

const phases = (runs: readonly KilledRun[]) => runs.reduce<Record<string, number>>((acc, r) => ({ ...acc, [phaseOf(r)]: (acc[phaseOf(r)] ?? 0) + 1 }), {});

/** Kills `mode` KILLS times, resetting the database to where that command has work to do when needed. */
async function killLoop(mode: 'apply' | 'rollback'): Promise<Record<string, unknown>> {
  const db = await createTestDatabase('none');
  dbs.push(db);
  const cli = mode === 'apply' ? ['migrate', 'apply'] : ['migrate', 'rollback', '--yes'];
  const args = [...cli, '--migrations-dir', dir, '--database-url', db.url];
  const all = names.length - baselineCount;
  await apply(db, { migrationsDir: dir });
  if (mode === 'apply') await rollback(db, { migrationsDir: dir });
  const span = await measure(args);
  const runs: KilledRun[] = [];
  let k = await consistentState(db);
  while (runs.length < KILLS) {
    const reset = mode === 'apply' ? k === all : k === 0;
    if (reset) await (mode === 'apply' ? rollback(db, { migrationsDir: dir }) : apply(db, { migrationsDir: dir }));
    const audits = await rollbackAudits(db);
    const before = reset ? await consistentState(db) : k;
    const run = await runAndKill(args, ...instant(runs.length, span));
    runs.push(run);
    await waitForNoCliSessions(db.pool, db.name);
    k = await consistentState(db);
    if (mode === 'apply') expect(k, phaseOf(run)).toBeGreaterThanOrEqual(before);
    else {
      expect([0, before], phaseOf(run)).toContain(k);
      expect(await rollbackAudits(db), 'one audit row per rolled-back migration, committed with it').toBe(audits + (k === 0 ? before : 0));
    }
  }
  const summary = { runMs: { startup: Math.round(span.startup), total: Math.round(span.total) }, kills: phases(runs) };
  console.info(`kill -9 of migrate ${mode}: ${JSON.stringify(summary)}`);
  // The kills must have hit the dangerous window, not only the start-up or the end.
  expect(summary.kills['inside the transaction'] ?? 0).toBeGreaterThan(0);
  return summary;
}

describe.concurrent('kill -9 at 20+ instants: all or nothing, and no open ledger row', () => {
  it('of tierctl migrate apply', { timeout: 120_000 }, async () => {
    await killLoop('apply');
  });

  it('of tierctl migrate rollback', { timeout: 120_000 }, async () => {
    await killLoop('rollback');
  });
});
