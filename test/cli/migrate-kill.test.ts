/**
 * `kill -9` of `tierctl migrate apply` and `tierctl migrate rollback` at 20+ instants each,
 * spread over the whole run, stratified on a measured run: a third of the instants in
 * Node's start-up (before the first progress line), two thirds from there to 10% past
 * the run's end, one random instant per slice. The tier migration is slowed down (pg_sleep after its ALTER TABLE, and
 * in its down.sql after the DROP INDEXes) so that many kills land with the migration half
 * done inside its transaction. After every kill: no open ledger row, and the catalog is
 * exactly the one that goes with the migrations the ledger says are applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogSnapshot } from '../../src/db/catalog-snapshot.js';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migration-files.js';
import { slowTierMigrations } from '../helpers/migrations-dir.js';
import { apply, ledgerRows, rollback } from '../helpers/migrate.js';
import { phaseOf, runAndKill, waitForNoCliSessions, type KilledRun } from '../helpers/kill-cli.js';
import { catalogOf, createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const KILLS = 21;
let db: TestDatabase;
let dir: string;
let names: string[];
let baselineCount: number;
/** refs[k]: the catalog after the baseline and the first k migrations after it. */
const refs: CatalogSnapshot[] = [];

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
  db = await createTestDatabase('none');
  await apply(db, { migrationsDir: dir });
});
afterAll(async () => {
  await db?.drop();
});

const rollbackAudits = async () => {
  const { rows } = await db.pool.query<{ found: boolean }>(`SELECT to_regclass('_tierctl_migration_rollbacks') IS NOT NULL AS found`);
  if (!rows[0]!.found) return 0;
  return (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM _tierctl_migration_rollbacks`)).rows[0]!.n;
};

/** Checks the invariants and returns k, how many migrations after the baseline are applied. */
async function consistentState(): Promise<number> {
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

/** The i-th of KILLS instants: random within its slice. */
function instant(i: number, span: { startup: number; total: number }): number {
  const early = Math.floor(KILLS / 3);
  const [from, to, slices, slot] = i < early ? [0, span.startup, early, i] : [span.startup, span.total * 1.1, KILLS - early, i - early];
  return from + ((slot + Math.random()) * (to - from)) / slices;
}

describe('kill -9 of tierctl migrate apply / rollback', () => {
  it(`leaves all or nothing, and no open ledger row, at ${KILLS}+ instants each`, { timeout: 180_000 }, async () => {
    const cli = { apply: ['migrate', 'apply', '--migrations-dir', dir, '--database-url', db.url], rollback: ['migrate', 'rollback', '--yes', '--migrations-dir', dir, '--database-url', db.url] };
    const all = names.length - baselineCount;
    const span = { rollback: await measure(cli.rollback), apply: await measure(cli.apply) };
    const runs: Record<'apply' | 'rollback', KilledRun[]> = { apply: [], rollback: [] };
    let k = await consistentState();
    while (runs.apply.length < KILLS || runs.rollback.length < KILLS) {
      const mode = runs.apply.length <= runs.rollback.length ? 'apply' : 'rollback';
      if (mode === 'apply' && k === all) await rollback(db, { migrationsDir: dir });
      if (mode === 'rollback' && k === 0) await apply(db, { migrationsDir: dir });
      const audits = await rollbackAudits();
      const before = await consistentState();
      const run = await runAndKill(cli[mode], instant(runs[mode].length, span[mode]));
      runs[mode].push(run);
      await waitForNoCliSessions(db.pool, db.name);
      k = await consistentState();
      if (mode === 'rollback') {
        expect([0, before], phaseOf(run)).toContain(k);
        expect(await rollbackAudits(), 'one audit row per rolled-back migration, committed with it').toBe(audits + (k === 0 ? before : 0));
      } else {
        expect(k).toBeGreaterThanOrEqual(before);
      }
    }
    const phases = (list: KilledRun[]) => list.reduce<Record<string, number>>((acc, r) => ({ ...acc, [phaseOf(r)]: (acc[phaseOf(r)] ?? 0) + 1 }), {});
    const summary = { runMs: span, apply: phases(runs.apply), rollback: phases(runs.rollback) };
    console.info(`kill -9 instants: ${JSON.stringify(summary)}`);
    // The kills must have hit the dangerous window, not only the start-up or the end.
    expect(summary.apply['inside the transaction'] ?? 0).toBeGreaterThan(0);
    expect(summary.rollback['inside the transaction'] ?? 0).toBeGreaterThan(0);
  });
});
