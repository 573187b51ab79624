import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, TIER_MIGRATION, type MigrationFile } from '../../src/db/migrations/migration-files.js';
import { migrateApply } from '../../src/runbook/migrate/migrate-apply.js';
import { migrateBaseline } from '../../src/runbook/migrate/migrate-baseline.js';
import { migrateResolve } from '../../src/runbook/migrate/migrate-resolve.js';
import { migrateStatus } from '../../src/runbook/migrate/migrate-status.js';
import { unwrap } from '../../src/shared/failure.js';
import { apply, deps, failureOf, ledgerRows, rollback, UUID_V4 } from '../helpers/migrate.js';
import { createTestDatabase, type MigrateTo, type TestDatabase } from '../helpers/test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

let files: MigrationFile[];
let tierIndex: number;
const dbs: TestDatabase[] = [];
const fresh = async (to: MigrateTo = 'none') => {
  const db = await createTestDatabase(to);
  dbs.push(db);
  return db;
};
beforeAll(async () => {
  files = await loadMigrations();
  tierIndex = files.findIndex((f) => f.name === TIER_MIGRATION);
});
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
});

const resolve = (db: TestDatabase, which: { applied?: string; rolledBack?: string }) => migrateResolve({ database: plainTarget(db.url), ...which }, deps);
const status = async (db: TestDatabase) => unwrap(await migrateStatus({ database: plainTarget(db.url) }, deps));

describe.concurrent('migrate baseline (P3005)', () => {
  it('checks the schema against the migrations, records them applied as prisma migrate resolve --applied does, then apply runs the rest', async () => {
    const db = await fresh('baseline');
    expect((await status(db)).problems.map((p) => p.code)).toEqual(['not_managed']);
    const report = unwrap(await migrateBaseline({ database: plainTarget(db.url) }, deps));
    expect(report.marked).toEqual(files.slice(0, tierIndex).map((f) => f.name));
    expect(report.compared.columns).toBeGreaterThan(30);
    const rows = await ledgerRows(db);
    for (const [i, row] of rows.entries()) {
      expect(row).toMatchObject({ migration_name: files[i]!.name, checksum: files[i]!.checksum, logs: '', rolled_back_at: null, applied_steps_count: 0 });
      expect(row.id).toMatch(UUID_V4);
      expect(row.finished_at).toEqual(row.started_at);
    }
    // nothing was run: the scratch schema the check used is gone
    const { rows: schemas } = await db.pool.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE '\\_tierctl%'`);
    expect(schemas).toEqual([]);
    expect(unwrap(await migrateBaseline({ database: plainTarget(db.url) }, deps)).marked).toEqual([]);
    expect((await apply(db)).applied.map((a) => a.name)).toEqual(files.slice(tierIndex).map((f) => f.name));
    expect((await status(db)).upToDate).toBe(true);
  });

  it('refuses (exit 4) a schema that is not what the migrations build, listing the differences', async () => {
    const db = await fresh('baseline');
    await db.pool.query('ALTER TABLE models DROP COLUMN description; CREATE INDEX models_name_idx ON models (name)');
    const f = failureOf(await migrateBaseline({ database: plainTarget(db.url) }, deps));
    expect(f).toMatchObject({ code: 'schema_not_baseline', exitCode: 4 });
    expect(f.problems).toEqual(['missing column models.description (text)', 'extra index models_name_idx (CREATE INDEX models_name_idx ON public.models USING btree (name))']);
    expect(await ledgerRows(db)).toEqual([]);
  });

  it('a schema that already has the tier migration (applied with psql) is baselined with --to', async () => {
    const db = await fresh('tier');
    const f = failureOf(await migrateBaseline({ database: plainTarget(db.url) }, deps));
    expect(f.hint).toContain(`--to ${TIER_MIGRATION}`);
    const report = unwrap(await migrateBaseline({ database: plainTarget(db.url), to: TIER_MIGRATION }, deps));
    expect(report.marked).toEqual(files.slice(0, tierIndex + 1).map((f) => f.name));
    expect((await status(db)).migrations.filter((m) => m.state === 'applied').map((m) => m.name)).toEqual(report.marked);
  });

  it('refuses an empty schema: there is nothing to baseline', async () => {
    const db = await fresh('none');
    expect(failureOf(await migrateBaseline({ database: plainTarget(db.url) }, deps))).toMatchObject({ code: 'schema_not_baseline', exitCode: 4 });
  });
});

describe('migrate resolve, with prisma migrate resolve\'s rules', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await fresh('none');
    await apply(db);
  });

  it('--applied: P3008 when already applied, P3017 when unknown (exit 2)', async () => {
    expect(failureOf(await resolve(db, { applied: TIER_MIGRATION }))).toMatchObject({ code: 'already_applied', exitCode: 1, message: expect.stringContaining('P3008') });
    expect(failureOf(await resolve(db, { applied: '20990101000000_nope' }))).toMatchObject({ code: 'migration_not_found', exitCode: 2, message: expect.stringContaining('P3017') });
  });

  it('--rolled-back: P3012 for an applied migration, P3011 for one never applied', async () => {
    expect(failureOf(await resolve(db, { rolledBack: TIER_MIGRATION }))).toMatchObject({ code: 'not_failed', message: expect.stringContaining('P3012') });
    expect(failureOf(await resolve(db, { rolledBack: '20990101000000_nope' }))).toMatchObject({ code: 'never_applied', message: expect.stringContaining('P3011') });
    expect(failureOf(await migrateResolve({ database: plainTarget(db.url) }, deps))).toMatchObject({ code: 'resolve_usage', exitCode: 2 });
  });

  it('--applied records the tier migration applied by hand only when all its columns and indexes exist', async () => {
    await rollback(db);
    await db.pool.query(`ALTER TABLE models ADD COLUMN required_tier subscription_tier NOT NULL DEFAULT 'free'`);
    expect(failureOf(await resolve(db, { applied: TIER_MIGRATION }))).toMatchObject({ code: 'tier_schema_incomplete', exitCode: 4 });
    await db.pool.query('ALTER TABLE models DROP COLUMN required_tier');
    await db.pool.query(files[tierIndex]!.sql);
    expect((await status(db)).problems.map((p) => p.code)).toEqual(['tier_schema_unrecorded']);
    expect(failureOf(await migrateApply({ database: plainTarget(db.url) }, deps))).toMatchObject({ code: 'tier_schema_unrecorded', exitCode: 4 });
    expect(unwrap(await resolve(db, { applied: TIER_MIGRATION }))).toMatchObject({ action: 'applied', failedRowsSetAside: 0 });
    const row = (await ledgerRows(db)).filter((r) => r.migration_name === TIER_MIGRATION).at(-1)!;
    expect(row).toMatchObject({ logs: '', applied_steps_count: 0, checksum: files[tierIndex]!.checksum });
    expect((await status(db)).migrations.find((m) => m.name === TIER_MIGRATION)?.state).toBe('applied');
  });
});
