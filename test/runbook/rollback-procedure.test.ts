import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { backupDatabase } from '../../src/runbook/backup/backup.js';
import { seedTiers } from '../../src/runbook/seed-tiers.js';
import { FIXTURES_DIR } from '../../src/fixtures/load-fixtures.js';
import { silentReporter } from '../../src/shared/reporter.js';
import { writeLedgerUpTo } from '../helpers/ledger-rows.js';
import { apply } from '../helpers/migrate.js';
import { runCli } from '../helpers/run-cli.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { tableChecksums } from '../helpers/table-checksums.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

const db = useTestDatabase('baseline');
let dir: string;
let manifest: string;
let beforeMigration: Awaited<ReturnType<typeof tableChecksums>>;

const tierColumns = async () =>
  (await db().pool.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'models' AND column_name IN ('required_tier','tier_restriction_mode','allowed_tiers')`)).rowCount;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierctl-rollback-'));
  const baseline = (await loadMigrations()).filter((m) => m.name < TIER_MIGRATION).at(-1)!.name;
  await writeLedgerUpTo(db(), baseline);
  await seedSandbox(db(), { assignments: false });
  const backup = await backupDatabase({ database: plainTarget(db().url), dir }, { reporter: silentReporter });
  if (!backup.ok) throw new Error(backup.failure.message);
  manifest = backup.value.manifestPath;
  beforeMigration = await tableChecksums(db().url);
  await apply(db());
  const seeded = await seedTiers({ database: plainTarget(db().url), fixturesDir: FIXTURES_DIR }, { reporter: silentReporter });
  if (!seeded.ok) throw new Error(seeded.failure.message);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tierctl rollback', () => {
  it('refuses (exit 4) to drop tier assignments no backup holds, and changes nothing', async () => {
    const env = { DATABASE_URL: db().url };
    const bare = await runCli(['rollback', '--yes'], { env });
    expect(bare.code).toBe(4);
    expect(bare.stderr).toMatch(/would drop the tier settings of 3 models/);
    // The backup was taken before the assignments were made: it does not hold them either.
    const old = await runCli(['rollback', '--yes', '--backup', manifest], { env });
    expect(old.code).toBe(4);
    expect(await tierColumns()).toBe(3);
  });

  it('asks first: without a terminal and without --yes it refuses (exit 4)', async () => {
    const r = await runCli(['rollback', '--accept-loss'], { env: { DATABASE_URL: db().url } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/without confirmation/);
    expect(await tierColumns()).toBe(3);
  });

  it('with --restore brings back exactly the rows from before the migration, and verifies it against the CSV', async () => {
    await db().pool.query(`UPDATE models SET display_name = 'changed after the migration' WHERE id = 'gpt-5'`);
    await db().pool.query(`INSERT INTO api_logs (method, path, status_code, latency_ms) VALUES ('GET', '/v1/models', 200, 1)`);
    const r = await runCli(['rollback', '--yes', '--restore', manifest, '--json', '--reason', 'test'], { env: { DATABASE_URL: db().url } });
    expect(r.stderr).not.toMatch(/internal error/);
    const report = JSON.parse(r.stdout);
    expect(r.code, r.stderr).toBe(0);
    expect(report.outcome).toBe('rolled_back');
    expect(report.verification).toEqual([
      expect.objectContaining({ id: 'schema', result: 'pass' }),
      expect.objectContaining({ id: 'api', result: 'skipped', detail: 'no --api-url' }),
      expect.objectContaining({ id: 'models-csv', result: 'pass' }),
    ]);
    expect(await tierColumns()).toBe(0);
    // Every table of the backup is back as it was; the rollback's audit rows (one per migration
    // from the tier migration on, not in the backup) and tierctl's apply records survive the restore.
    const { ['public._tierctl_migration_rollbacks']: audit, ['public._tierctl_migrations']: _records, ...restored } = await tableChecksums(db().url);
    expect(restored).toEqual(beforeMigration);
    expect(audit?.rows).toBe((await loadMigrations()).filter((m) => m.name >= TIER_MIGRATION).length);
  });

  it('runs the stop and start hooks around it, and a failing stop hook stops the procedure', async () => {
    const marker = join(dir, 'hooks.log');
    const hooks = ['--stop-cmd', `echo stop >> ${marker}`, '--start-cmd', `echo start >> ${marker}`];
    const { readFile } = await import('node:fs/promises');
    // Already rolled back: nothing to roll back, so neither hook runs and nothing is verified (exit 0).
    const nothing = await runCli(['rollback', '--yes', '--accept-loss', ...hooks], { env: { DATABASE_URL: db().url } });
    expect(nothing.code, nothing.stderr).toBe(0);
    expect(nothing.stdout).toMatch(/Nothing to roll back: no migration after \S+ is applied/);
    expect(await readFile(marker, 'utf8').catch(() => '')).toBe('');
    await apply(db());
    const ok = await runCli(['rollback', '--yes', '--accept-loss', ...hooks, '--models-csv', join(dir, 'missing.csv')], { env: { DATABASE_URL: db().url } });
    // Rolled back between the hooks; the verification runs (and the CSV is missing: exit 1).
    expect(ok.code).toBe(1);
    expect(ok.stdout).toMatch(/rolled back 20/);
    expect(ok.stderr).toMatch(/cannot read .*missing\.csv/);
    expect(await readFile(marker, 'utf8')).toBe('stop\nstart\n');
    await apply(db());
    const bad = await runCli(['rollback', '--yes', '--stop-cmd', 'exit 7', '--json'], { env: { DATABASE_URL: db().url } });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).phases.map((p: { id: string; outcome: string }) => `${p.id}:${p.outcome}`)).toEqual(['validate:ok', 'stop:failed']);
  });
});
