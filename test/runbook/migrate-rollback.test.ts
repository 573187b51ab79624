import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, TIER_MIGRATION, type MigrationFile } from '../../src/db/migrations/migration-files.js';
import { backupDatabase } from '../../src/runbook/backup/backup.js';
import { migrateDown } from '../../src/runbook/migrate/migrate-down.js';
import { migrateStatus } from '../../src/runbook/migrate/migrate-status.js';
import { unwrap } from '../../src/shared/failure.js';
import { addMigration, copyMigrations } from '../helpers/migrations-dir.js';
import { apply, deps, failureOf, ledgerRows, rollback } from '../helpers/migrate.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { catalogOf, createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

let files: MigrationFile[];
let tierIndex: number;
let baselineCatalog: Awaited<ReturnType<typeof catalogOf>>;
let db: TestDatabase;
let manifests: string;

beforeAll(async () => {
  files = await loadMigrations();
  tierIndex = files.findIndex((f) => f.name === TIER_MIGRATION);
  const reference = await createTestDatabase('baseline');
  baselineCatalog = await catalogOf(reference);
  await reference.drop();
  db = await createTestDatabase('none');
  manifests = await mkdtemp(join(tmpdir(), 'tierctl-manifests-'));
});
afterAll(async () => {
  await db?.drop();
  await rm(manifests, { recursive: true, force: true });
});

const audit = async () => (await db.pool.query(`SELECT * FROM _tierctl_migration_rollbacks ORDER BY rolled_back_at`)).rows;
const state = async () => ({ catalog: await catalogOf(db), ledger: await ledgerRows(db) });
const afterBaseline = () => files.slice(tierIndex).map((f) => f.name);

/** A real `tierctl backup` (pg_dump, manifest) of `of`, in a directory of its own. */
async function backup(of: TestDatabase = db): Promise<string> {
  const dir = await mkdtemp(join(manifests, 'backup-'));
  return unwrap(await backupDatabase({ database: plainTarget(of.url), dir }, deps)).manifestPath;
}
let beforeTier: string;

describe('migrate rollback', () => {
  it('with nothing to lose: runs the down.sql files newest first, deletes their ledger rows, audits them, verifies', async () => {
    await apply(db);
    await seedSandbox(db, { assignments: false, users: false });
    const report = await rollback(db, { reason: 'test' });
    expect(report.rolledBack).toEqual(afterBaseline().reverse());
    expect(report.target).toBe(files[tierIndex - 1]!.name);
    expect(report.allowedBy).toBe('nothing-to-lose');
    expect(report.tierSchema).toMatchObject({ expected: 'absent', ok: true, columns: [], indexes: [] });
    expect((await ledgerRows(db)).map((r) => r.migration_name)).toEqual(files.slice(0, tierIndex).map((f) => f.name));
    expect(await catalogOf(db)).toEqual(baselineCatalog);
    const rows = await audit();
    expect(rows.map((r) => r.migration_name)).toEqual(afterBaseline().reverse());
    expect(rows[0]).toMatchObject({ reason: 'test', rolled_back_by: 'postgres', application_name: 'tierctl migrate rollback', models_with_tier_data: 0 });
    const status = unwrap(await migrateStatus({ database: plainTarget(db.url) }, deps));
    expect(status.migrations.filter((m) => m.state === 'rolled_back').map((m) => m.name)).toEqual(afterBaseline());
  });

  it('is a no-op on a database already back at the baseline', async () => {
    beforeTier = await backup();
    const report = await rollback(db);
    expect(report.rolledBack).toEqual([]);
    expect(report.tierSchema).toMatchObject({ ok: true });
  });

  it('data-loss guard: refuses (exit 4) listing the models whose tier values are not the defaults; --dry-run says so', async () => {
    await apply(db);
    await seedSandbox(db, { users: false });
    const before = await state();
    const f = failureOf(await migrateDown({ database: plainTarget(db.url) }, deps));
    expect(f).toMatchObject({ code: 'data_loss', exitCode: 4 });
    expect(f.problems!.map((p) => p.split(':')[0])).toEqual(['claude-3.5-sonnet', 'gemini-2.0-pro', 'gpt-5']);
    expect(f.problems![2]).toContain('required_tier=enterprise, tier_restriction_mode=minimum, allowed_tiers={enterprise}');
    const dry = await rollback(db, { dryRun: true });
    expect(dry.refusal).toMatchObject({ code: 'data_loss' });
    expect(dry.plan.map((p) => p.name)).toEqual(afterBaseline().reverse());
    expect(await state()).toEqual(before);
  });

  it('refuses a backup that is tampered with, of another database, from before the tier migration, or whose dump lacks the values', async () => {
    const before = await state();
    const other = await createTestDatabase('all');
    const tampered = await backup();
    const manifest = JSON.parse(await readFile(tampered, 'utf8'));
    await appendFile(join(dirname(tampered), manifest.files.dump.name), 'x');
    const cases = [
      [tampered, 'Backup does not match its manifest'],
      [await backup(other).finally(() => other.drop()), `is a backup of database "${other.name}"`],
      [beforeTier, 'was taken when the tier columns were absent'],
      [await backup(), 'gemini-2.0-pro: live required_tier=enterprise, tier_restriction_mode=minimum, allowed_tiers={pro,enterprise}; backup required_tier=pro, tier_restriction_mode=minimum, allowed_tiers={pro,enterprise} (differs: required_tier)'],
    ] as const;
    await db.pool.query(`UPDATE models SET required_tier = 'enterprise', updated_at = clock_timestamp() WHERE id = 'gemini-2.0-pro'`);
    for (const [backupManifest, why] of cases) {
      const f = failureOf(await migrateDown({ database: plainTarget(db.url), backupManifest }, deps));
      expect(f).toMatchObject({ code: 'data_loss', exitCode: 4 });
      expect(f.message).toContain(why);
    }
    const missing = failureOf(await migrateDown({ database: plainTarget(db.url), backupManifest: join(manifests, 'nope.json') }, deps));
    expect(missing).toMatchObject({ code: 'manifest_unreadable', exitCode: 2 });
    expect((await state()).ledger).toEqual(before.ledger);
    expect((await state()).catalog).toEqual(before.catalog);
  });

  it('a verified backup whose dump holds the values allows it', async () => {
    const report = await rollback(db, { backupManifest: await backup() });
    expect(report.allowedBy).toBe('backup');
    expect(report.modelsWithTierData.map((m) => m.id)).toEqual(['claude-3.5-sonnet', 'gemini-2.0-pro', 'gpt-5']);
    expect(report.backup?.database).toBe(db.name);
    expect((await audit()).filter((r) => r.migration_name === TIER_MIGRATION).at(-1)).toMatchObject({ models_with_tier_data: 3 });
  });

  it('--accept-loss allows it without a backup', async () => {
    await apply(db);
    await seedSandbox(db, { users: false });
    const report = await rollback(db, { acceptLoss: true });
    expect(report).toMatchObject({ allowedBy: 'accept-loss', rolledBack: afterBaseline().reverse() });
  });
});

describe('migrate rollback --to and down.sql', () => {
  it('--to NAME rolls back only what comes after NAME; an unknown NAME is P3017 (exit 2)', async () => {
    const dir = await copyMigrations();
    await addMigration(dir, '29990101000000_extra', 'CREATE TABLE extra_t (a int);\n', 'DROP TABLE extra_t;\n');
    await apply(db, { migrationsDir: dir });
    const report = await rollback(db, { migrationsDir: dir, to: TIER_MIGRATION });
    expect(report.rolledBack[0]).toBe('29990101000000_extra');
    expect(report.rolledBack).not.toContain(TIER_MIGRATION);
    expect((await db.pool.query(`SELECT to_regclass('extra_t') AS t`)).rows[0].t).toBeNull();
    expect(failureOf(await migrateDown({ database: plainTarget(db.url), to: '20990101000000_nope' }, deps))).toMatchObject({ code: 'migration_not_found', exitCode: 2 });
    await rollback(db, { migrationsDir: dir });
    expect(await catalogOf(db)).toEqual(baselineCatalog);
  });

  it('refuses to roll back a migration without a down.sql (exit 4), changing nothing', async () => {
    const dir = await copyMigrations();
    await addMigration(dir, '29990101000000_no_down', 'CREATE TABLE no_down_t (a int);\n');
    await apply(db, { migrationsDir: dir });
    const before = await state();
    const f = failureOf(await migrateDown({ database: plainTarget(db.url), migrationsDir: dir }, deps));
    expect(f).toMatchObject({ code: 'no_down_sql', exitCode: 4 });
    expect(f.message).toContain('29990101000000_no_down');
    expect(await state()).toEqual(before);
    await db.pool.query('DROP TABLE no_down_t');
    await db.pool.query(`DELETE FROM _prisma_migrations WHERE migration_name = '29990101000000_no_down'`);
    await rollback(db);
  });
});

describe('20 apply/rollback cycles', () => {
  it('leave the catalog identical to the baseline\'s and every model row unchanged', async () => {
    expect(await catalogOf(db)).toEqual(baselineCatalog);
    const models = async () => (await db.pool.query('SELECT * FROM models ORDER BY id')).rows;
    const rows = await models();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < 20; i++) {
      const applied = await apply(db);
      expect(applied.applied.map((a) => a.name)).toEqual(afterBaseline());
      const back = await rollback(db);
      expect(back.allowedBy).toBe('nothing-to-lose');
      expect(back.rolledBack).toEqual(afterBaseline().reverse());
    }
    expect(await catalogOf(db)).toEqual(baselineCatalog);
    expect(await models()).toEqual(rows);
    expect((await ledgerRows(db)).map((r) => r.migration_name)).toEqual(files.slice(0, tierIndex).map((f) => f.name));
  });
});
