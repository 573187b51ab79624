/**
 * Prisma's own schema engine (its WebAssembly build: the engine behind `prisma migrate
 * deploy/status/resolve`) judges the ledger tierctl keeps: it must see what tierctl did
 * as if Prisma had done it, and tierctl must see what Prisma does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, TIER_MIGRATION, type MigrationFile } from '../../src/db/migrations/migration-files.js';
import { migrateApply } from '../../src/runbook/migrate/migrate-apply.js';
import { migrateBaseline } from '../../src/runbook/migrate/migrate-baseline.js';
import { migrateResolve } from '../../src/runbook/migrate/migrate-resolve.js';
import { migrateStatus } from '../../src/runbook/migrate/migrate-status.js';
import { unwrap } from '../../src/shared/failure.js';
import { addMigration, copyMigrations, editFile } from '../helpers/migrations-dir.js';
import { apply, deps, ledgerRows, rollback, UUID_V4, type RawLedgerRow } from '../helpers/migrate.js';
import { engineMigrationList, NO_FILTERS, startSchemaEngine, type SchemaEngine } from '../helpers/prisma-schema-engine.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

let files: MigrationFile[];
let afterBaseline: string[];
const dbs: TestDatabase[] = [];
const engines: SchemaEngine[] = [];
async function pair(to: 'none' | 'baseline' = 'none'): Promise<[TestDatabase, SchemaEngine]> {
  const db = await createTestDatabase(to);
  dbs.push(db);
  const engine = await startSchemaEngine(db.url);
  engines.push(engine);
  return [db, engine];
}
const diagnose = async (engine: SchemaEngine, dir?: string) =>
  engine.diagnoseMigrationHistory({ migrationsList: await engineMigrationList(dir), optInToShadowDatabase: false, filters: NO_FILTERS });
const deploy = async (engine: SchemaEngine, dir?: string) => (await engine.applyMigrations({ migrationsList: await engineMigrationList(dir), filters: NO_FILTERS })).appliedMigrationNames;
const status = async (db: TestDatabase, dir?: string) => unwrap(await migrateStatus({ database: plainTarget(db.url), migrationsDir: dir }, deps));

/**
 * The WebAssembly engine runs over adapter-pg's connection pool: its pg_advisory_unlock
 * can go to another pooled connection than its pg_advisory_lock, so the lock stays with
 * an idle pooled session until the pool closes it (10 s idle timeout). The native engine
 * uses one connection and has no such leftover. End that session, as the pool would.
 */
async function endEngineLockSession(db: TestDatabase): Promise<void> {
  await db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
}

/** A row reduced to what Prisma defines, with the generated parts checked and replaced by their kind. */
function shape(row: RawLedgerRow) {
  expect(row.id).toMatch(UUID_V4);
  expect(row.started_at).toBeInstanceOf(Date);
  return {
    keys: Object.keys(row).sort().join(','),
    migration_name: row.migration_name,
    checksum: row.checksum,
    logs: row.logs === null ? null : row.logs === '' ? '' : 'error text',
    rolled_back_at: row.rolled_back_at === null ? null : 'set',
    finished_at: row.finished_at === null ? null : row.finished_at.getTime() === row.started_at.getTime() ? 'same as started_at' : row.finished_at > row.started_at ? 'after started_at' : 'BEFORE started_at',
    applied_steps_count: row.applied_steps_count,
  };
}

beforeAll(async () => {
  files = await loadMigrations();
  afterBaseline = files.slice(files.findIndex((f) => f.name === TIER_MIGRATION)).map((f) => f.name);
});
afterAll(async () => {
  for (const e of engines) e.free();
  await Promise.all(dbs.map((d) => d.drop()));
});

describe.concurrent('Prisma\'s engine judges tierctl migrate', () => {
  it('after tierctl apply: everything applied, nothing failed or edited, and prisma migrate deploy applies nothing', async () => {
    const [db, engine] = await pair();
    await apply(db);
    expect(await diagnose(engine)).toEqual({ editedMigrationNames: [], failedMigrationNames: [], hasMigrationsTable: true, history: null });
    expect(await deploy(engine)).toEqual([]);
  });

  it('after tierctl rollback: the database is behind by exactly the rolled-back migrations; after Prisma\'s deploy tierctl agrees all is applied', async () => {
    const [db, engine] = await pair();
    await apply(db);
    await rollback(db);
    expect((await diagnose(engine)).history).toEqual({ diagnostic: 'databaseIsBehind', unappliedMigrationNames: afterBaseline });
    expect(await deploy(engine)).toEqual(afterBaseline);
    await endEngineLockSession(db);
    const s = await status(db);
    expect(s).toMatchObject({ upToDate: true, pending: [], failed: [], problems: [] });
    expect(s.migrations.every((m) => m.state === 'applied')).toBe(true);
    expect((await apply(db, { waitMs: 1000 })).applied).toEqual([]);
  });

  it('applied rows are field for field the rows Prisma writes', async () => {
    const [ours] = await pair();
    const [theirs, engine] = await pair();
    await apply(ours);
    expect(await deploy(engine)).toEqual(files.map((f) => f.name));
    const [a, b] = [await ledgerRows(ours), await ledgerRows(theirs)];
    expect(a.map(shape)).toEqual(b.map(shape));
    expect(a.map(shape)[0]).toMatchObject({ logs: null, rolled_back_at: null, finished_at: 'after started_at', applied_steps_count: 1 });
  });

  it('failed rows look like Prisma\'s, and each side resolves the other\'s', async () => {
    const dir = await copyMigrations();
    const bad = '29990101000000_fails';
    await addMigration(dir, bad, 'ALTER TABLE models ADD COLUMN required_tier int;\n');
    const [ours, ourEngine] = await pair();
    const [theirs, engine] = await pair();
    expect(await migrateApply({ database: plainTarget(ours.url), migrationsDir: dir }, deps)).toMatchObject({ ok: false, failure: { code: 'migration_failed' } });
    await expect(deploy(engine, dir)).rejects.toThrow(/column "required_tier" of relation "models" already exists/);
    const [a, b] = [(await ledgerRows(ours)).at(-1)!, (await ledgerRows(theirs)).at(-1)!];
    expect(shape(a)).toEqual(shape(b));
    expect(shape(a)).toMatchObject({ migration_name: bad, finished_at: null, logs: 'error text', applied_steps_count: 0 });
    for (const row of [a, b]) expect(row.logs).toContain('column "required_tier" of relation "models" already exists');
    expect((await diagnose(ourEngine, dir)).failedMigrationNames).toEqual([bad]);
    const theirStatus = await status(theirs, dir);
    expect(theirStatus.failed).toEqual([bad]);
    expect(theirStatus.problems.find((p) => p.code === 'failed_migration')?.message).toContain('failed: Error querying the database: ERROR: column "required_tier"');
    expect((await status(ours, dir)).problems.find((p) => p.code === 'failed_migration')?.message).toContain('failed: ERROR: column "required_tier"');
    await ourEngine.markMigrationRolledBack({ migrationName: bad });
    unwrap(await migrateResolve({ database: plainTarget(theirs.url), migrationsDir: dir, rolledBack: bad }, deps));
    expect(shape((await ledgerRows(ours)).at(-1)!)).toEqual(shape((await ledgerRows(theirs)).at(-1)!));
    expect((await diagnose(engine, dir)).failedMigrationNames).toEqual([]);
    expect((await status(ours, dir)).failed).toEqual([]);
  });

  it('resolve --applied and baseline write the rows prisma migrate resolve --applied writes', async () => {
    const [ours] = await pair('baseline');
    const [theirs, engine] = await pair('baseline');
    unwrap(await migrateBaseline({ database: plainTarget(ours.url) }, deps));
    const baseline = files[0]!.name;
    await engine.markMigrationApplied({ migrationName: baseline, migrationsList: await engineMigrationList() });
    expect((await ledgerRows(ours)).map(shape)).toEqual((await ledgerRows(theirs)).map(shape));
    expect(shape((await ledgerRows(ours))[0]!)).toMatchObject({ logs: '', finished_at: 'same as started_at', applied_steps_count: 0 });
    expect((await diagnose(engine)).history).toEqual({ diagnostic: 'databaseIsBehind', unappliedMigrationNames: afterBaseline });
  });

  it('tierctl status and Prisma agree on an edited migration', async () => {
    const dir = await copyMigrations();
    const [db, engine] = await pair();
    await apply(db, { migrationsDir: dir });
    await editFile(dir, TIER_MIGRATION, 'migration.sql', (sql) => `${sql}\n-- edited after it was applied\n`);
    expect((await diagnose(engine, dir)).editedMigrationNames).toEqual([TIER_MIGRATION]);
    expect((await status(db, dir)).migrations.filter((m) => m.state === 'modified').map((m) => m.name)).toEqual([TIER_MIGRATION]);
  });
});
