import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRISMA_ADVISORY_LOCK_KEY } from '../../src/db/migrations/ledger.js';
import { loadMigrations, TIER_MIGRATION, type MigrationFile } from '../../src/db/migrations/migration-files.js';
import { migrateApply } from '../../src/runbook/migrate/migrate-apply.js';
import { migrateResolve } from '../../src/runbook/migrate/migrate-resolve.js';
import { unwrap } from '../../src/shared/failure.js';
import { recordingReporter } from '../../src/shared/reporter.js';
import { addMigration, copyMigrations, editFile } from '../helpers/migrations-dir.js';
import { apply, deps, failureOf, ledgerRows, rollback, UUID_V4 } from '../helpers/migrate.js';
import { catalogOf, createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

let files: MigrationFile[];
const dbs: TestDatabase[] = [];
const fresh = async (to: 'none' | 'baseline' = 'none') => {
  const db = await createTestDatabase(to);
  dbs.push(db);
  return db;
};
/** A database whose ledger says: everything up to the baseline applied, the rest pending. */
const atBaseline = async () => {
  const db = await fresh();
  await apply(db);
  await rollback(db);
  return db;
};

beforeAll(async () => {
  files = await loadMigrations();
});
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
});

async function holding(db: TestDatabase, sql: string, name: string): Promise<pg.Client & { release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: db.url, application_name: name });
  await client.connect();
  await client.query(sql);
  return Object.assign(client, { release: () => client.end() });
}

describe.concurrent('migrate apply', () => {
  it('applies every migration, one transaction and one ledger row each, shaped as Prisma writes them', async () => {
    const db = await fresh();
    const report = await apply(db);
    expect(report.applied.map((a) => a.name)).toEqual(files.map((f) => f.name));
    const rows = await ledgerRows(db);
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, row] of rows.entries()) {
      expect(row.id).toMatch(UUID_V4);
      expect(row.checksum).toBe(files[i]!.checksum);
      expect(row).toMatchObject({ logs: null, rolled_back_at: null, applied_steps_count: 1 });
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    }
    expect(report.tierSchema).toMatchObject({ expected: 'present', ok: true, wrong: [] });
    expect(report.tierSchema!.columns.map((c) => c.column).sort()).toEqual(['allowed_tiers', 'required_tier', 'tier_restriction_mode']);

    const again = await apply(db);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(files.map((f) => f.name));
    expect((await ledgerRows(db)).map((r) => r.id)).toEqual(rows.map((r) => r.id));
  });

  it('--dry-run shows each statement with its lock and changes nothing', async () => {
    const db = await fresh();
    const report = await apply(db, { dryRun: true });
    expect(report.applied).toEqual([]);
    expect(report.plan.map((p) => p.name)).toEqual(files.map((f) => f.name));
    const tier = report.plan.find((p) => p.name === TIER_MIGRATION)!;
    expect(tier.statements.map((s) => [s.kind, s.lock, s.relations])).toEqual([
      ['ALTER TABLE', 'ACCESS EXCLUSIVE', ['"models"']],
      ['CREATE INDEX', 'SHARE', ['"models"']],
      ['CREATE INDEX', 'SHARE', ['"models"']],
    ]);
    expect(await ledgerRows(db)).toEqual([]);
    expect((await catalogOf(db)).columns).toEqual([]);
  });

  it('P3005: refuses a schema with tables but no ledger, and points to baseline', async () => {
    const db = await fresh('baseline');
    const before = await catalogOf(db);
    const f = failureOf(await migrateApply({ database: plainTarget(db.url) }, deps));
    expect(f).toMatchObject({ code: 'not_managed', exitCode: 4 });
    expect(f.message).toContain('P3005');
    expect(f.hint).toContain('tierctl migrate baseline');
    expect(await catalogOf(db)).toEqual(before);
    expect(await ledgerRows(db)).toEqual([]);
  });

  it('refuses a partially applied tier schema (the guide\'s "Column already exists"), explaining the way out', async () => {
    const db = await atBaseline();
    await db.pool.query(`ALTER TABLE models ADD COLUMN required_tier subscription_tier NOT NULL DEFAULT 'free'`);
    const before = { catalog: await catalogOf(db), ledger: await ledgerRows(db) };
    const f = failureOf(await migrateApply({ database: plainTarget(db.url) }, deps));
    expect(f).toMatchObject({ code: 'tier_schema_partial', exitCode: 4 });
    expect(f.message).toContain('required_tier exists');
    expect(f.message).toContain('column already exists');
    expect(f.hint).toContain(`tierctl migrate resolve --applied ${TIER_MIGRATION}`);
    expect(f.hint).toContain('tierctl restore');
    expect({ catalog: await catalogOf(db), ledger: await ledgerRows(db) }).toEqual(before);
  });

  it('refuses when an applied migration.sql was edited since (checksum drift)', async () => {
    const db = await fresh();
    const dir = await copyMigrations();
    await apply(db, { migrationsDir: dir });
    await editFile(dir, TIER_MIGRATION, 'migration.sql', (sql) => sql.replace('DEFAULT \'free\'', 'DEFAULT \'pro\''));
    const f = failureOf(await migrateApply({ database: plainTarget(db.url), migrationsDir: dir }, deps));
    expect(f).toMatchObject({ code: 'migration_modified', exitCode: 4 });
    expect(f.message).toContain(TIER_MIGRATION);
  });

  it('a failing migration is rolled back whole, recorded as Prisma records a failure, and blocks (P3009) until resolved', async () => {
    const db = await fresh();
    const dir = await copyMigrations();
    const bad = '29990101000000_fails';
    await addMigration(dir, bad, 'CREATE TABLE zz_partial (a int);\nALTER TABLE models ADD COLUMN required_tier int;\n', 'DROP TABLE zz_partial;\n');
    const f = failureOf(await migrateApply({ database: plainTarget(db.url), migrationsDir: dir }, deps));
    expect(f).toMatchObject({ code: 'migration_failed', exitCode: 1 });
    expect(f.message).toContain('Database error code: 42701');
    expect(f.message).toContain('column "required_tier" of relation "models" already exists');
    expect((await db.pool.query(`SELECT to_regclass('zz_partial') AS t`)).rows[0].t).toBeNull();
    const failed = (await ledgerRows(db)).filter((r) => r.migration_name === bad);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
    expect(failed[0]!.logs).toContain('ERROR: column "required_tier" of relation "models" already exists');
    expect(failed[0]!.id).toMatch(UUID_V4);

    expect(failureOf(await migrateApply({ database: plainTarget(db.url), migrationsDir: dir }, deps))).toMatchObject({ code: 'failed_migration', exitCode: 4 });
    await editFile(dir, bad, 'migration.sql', () => 'CREATE TABLE zz_partial (a int);\n');
    expect(failureOf(await migrateApply({ database: plainTarget(db.url), migrationsDir: dir }, deps)).message).toContain('P3009');
    await migrateResolve({ database: plainTarget(db.url), migrationsDir: dir, rolledBack: bad }, deps);
    expect((await apply(db, { migrationsDir: dir })).applied.map((a) => a.name)).toEqual([bad]);
    const rows = (await ledgerRows(db)).filter((r) => r.migration_name === bad);
    expect(rows.map((r) => [r.rolled_back_at !== null, r.finished_at !== null])).toEqual([[true, false], [false, true]]);
  });

  it('statements that cannot run inside a transaction are refused before anything runs (exit 2)', async () => {
    const db = await fresh();
    const dir = await copyMigrations();
    await addMigration(dir, '29990101000000_concurrently', 'CREATE INDEX CONCURRENTLY models_name_idx ON models (name);\n');
    const f = failureOf(await migrateApply({ database: plainTarget(db.url), migrationsDir: dir }, deps));
    expect(f).toMatchObject({ code: 'statement_not_transactional', exitCode: 2 });
    expect(f.message).toContain('CREATE INDEX CONCURRENTLY');
    expect(await ledgerRows(db)).toEqual([]);
  });
});

/** A reporter that calls `react` with each progress update of a running step (e.g. "waiting for ..."). */
function onProgress(react: (text: string) => unknown) {
  const events = recordingReporter();
  return { ...events, step: (title: string) => ({ ...events.step(title), update: (text: string) => void react(text) }) };
}

describe.concurrent('migrate apply and other sessions', () => {
  it('a lock held on models: each attempt waits lock_timeout, then it fails naming the blocker, nothing changed', async () => {
    const db = await atBaseline();
    const before = { catalog: await catalogOf(db), ledger: await ledgerRows(db) };
    const blocker = await holding(db, 'BEGIN; LOCK TABLE models IN ACCESS SHARE MODE', 'test-blocker');
    try {
      const f = failureOf(await migrateApply({ database: plainTarget(db.url), lockTimeoutMs: 150, retries: 1 }, deps));
      expect(f).toMatchObject({ code: 'lock_timeout', exitCode: 1 });
      expect(f.message).toContain('2 attempts. Nothing was changed.');
      expect(f.message).toMatch(/pid \d+ \(test-blocker, user \w+, idle in transaction, [\d.]+s, holds AccessShareLock on models\)/);
      expect({ catalog: await catalogOf(db), ledger: await ledgerRows(db) }).toEqual(before);
    } finally {
      await blocker.release();
    }
    expect((await apply(db)).applied.map((a) => a.name)).toContain(TIER_MIGRATION);
  });

  it('retries after a lock timeout and succeeds once the blocker is gone', async () => {
    const db = await atBaseline();
    const blocker = await holding(db, 'BEGIN; LOCK TABLE models IN ACCESS SHARE MODE', 'test-blocker');
    // The blocker goes away when the first attempt has timed out (the retry is reported).
    const reporter = onProgress((text) => text.includes('lock timeout') && blocker.release());
    const report = unwrap(await migrateApply({ database: plainTarget(db.url), lockTimeoutMs: 100, retries: 3 }, { reporter }));
    const tier = report.applied.find((a) => a.name === TIER_MIGRATION)!;
    expect(tier.attempts).toBe(2);
  });

  it('Prisma\'s advisory lock held elsewhere: waits, names the holder, gives up after --wait; or proceeds once it is free', async () => {
    const db = await atBaseline();
    const holder = await holding(db, `SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})`, 'test-prisma-deploy');
    const f = failureOf(await migrateApply({ database: plainTarget(db.url), waitMs: 200 }, deps));
    expect(f).toMatchObject({ code: 'migration_lock_busy', exitCode: 1 });
    expect(f.message).toContain('test-prisma-deploy');
    // The holder lets go once this run has reported whom it waits for.
    const reporter = onProgress((text) => text.includes('test-prisma-deploy') && holder.release());
    const report = unwrap(await migrateApply({ database: plainTarget(db.url), waitMs: 10_000 }, { reporter }));
    expect(report.waitedFor.map((s) => s.applicationName)).toEqual(['test-prisma-deploy']);
    expect(report.applied.map((a) => a.name)).toContain(TIER_MIGRATION);
  });

  it('keeps the ledger and the tables in the schema named by ?schema=, as Prisma does', async () => {
    const db = await fresh();
    const url = `${db.url}?schema=tenant_a`;
    await apply({ ...db, url });
    const { rows } = await db.pool.query(`SELECT table_schema AS schema, table_name AS name FROM information_schema.tables WHERE table_schema IN ('public', 'tenant_a')`);
    expect(new Set(rows.map((r) => r.schema))).toEqual(new Set(['tenant_a']));
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['_prisma_migrations', 'models', 'users']));
  });
});
