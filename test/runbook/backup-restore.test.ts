import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { pgToolVersion } from '../../src/db/dump/pg-tools.js';
import { backupDatabase } from '../../src/runbook/backup/backup.js';
import { restoreBackup } from '../../src/runbook/backup/restore-backup.js';
import { checkBackup } from '../../src/runbook/backup/check-backup.js';
import { silentReporter } from '../../src/shared/reporter.js';
import { writeLedgerUpTo } from '../helpers/ledger-rows.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { tableChecksums } from '../helpers/table-checksums.js';
import { adminQuery, databaseUrl, useTestDatabase } from '../helpers/test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

const db = useTestDatabase('all');
const deps = { reporter: silentReporter };
const at = new Date(2025, 10, 8, 9, 30, 5);
let dir: string;
const restoredDbs: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierctl-backup-'));
  await seedSandbox(db());
  await writeLedgerUpTo(db(), TIER_MIGRATION);
  await db().pool.query(`INSERT INTO api_logs (method, path, model_id, status_code, error_code, latency_ms)
    SELECT 'POST', '/v1/chat/completions', 'gpt-5', CASE WHEN i % 3 = 0 THEN 403 ELSE 200 END, NULL, i / 10.0 FROM generate_series(1, 500) i`);
});
afterAll(async () => {
  for (const name of restoredDbs) await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await rm(dir, { recursive: true, force: true });
});

describe('backup', () => {
  it("writes the guide's files, private, with a manifest that describes them exactly", async () => {
    const r = await backupDatabase({ database: plainTarget(db().url), dir }, { ...deps, now: () => at });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect((await readdir(dir)).sort()).toEqual([
      'backup_before_tier_migration_20251108_093005.dump',
      'backup_before_tier_migration_20251108_093005.manifest.json',
      'models_before_migration_20251108.csv',
    ]);
    const m = JSON.parse(await readFile(r.value.manifestPath, 'utf8'));
    expect(m).toMatchObject({
      format: 'tierctl-backup/1',
      createdAt: at.toISOString(),
      database: db().name,
      rowCounts: { 'public.models': 4, 'public.users': 3, 'public.subscriptions': 3, 'public.api_logs': 500, 'public._prisma_migrations': 2 },
      ledger: { present: true, lastApplied: TIER_MIGRATION, failed: [] },
      tierSchema: 'present',
      modelCount: 4,
    });
    expect(m.toc.tableData).toEqual(Object.keys(m.rowCounts).sort());
    const pgDump = await pgToolVersion('pg_dump');
    expect(pgDump.ok && [m.pgDumpVersion, m.pgDumpMajor]).toEqual(pgDump.ok && [pgDump.value.text, pgDump.value.major]);
    const dump = await stat(r.value.dumpPath);
    expect(m.files.dump.size).toBe(dump.size);
    expect(dump.mode & 0o777).toBe(0o600);
    const csv = await readFile(r.value.csvPath!, 'utf8');
    expect(csv.split('\n')).toContain('gpt-5,GPT-5,t,30');
    expect((await checkBackup({ manifestPath: r.value.manifestPath }, deps)).ok).toBe(true);
  });

  it('never overwrites: a second backup in the same second gets new names', async () => {
    const r = await backupDatabase({ database: plainTarget(db().url), dir }, { ...deps, now: () => at });
    expect(r.ok && [r.value.manifest.files.dump.name, r.value.manifest.files.modelsCsv?.name]).toEqual([
      'backup_before_tier_migration_20251108_093005_2.dump',
      'models_before_migration_20251108_2.csv',
    ]);
    expect(r.ok && r.value.manifestPath).toMatch(/_093005_2\.manifest\.json$/);
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('restore', () => {
  const manifestPath = () => join(dir, 'backup_before_tier_migration_20251108_093005.manifest.json');

  it('into a new database: every table identical, row for row', async () => {
    const name = `${db().name}_copy`;
    restoredDbs.push(name);
    const asked: string[] = [];
    const r = await restoreBackup({ manifestPath: manifestPath(), database: plainTarget(db().url), toDatabase: name }, { ...deps, confirm: async (p) => (asked.push(p.database), true) });
    expect(r.ok).toBe(true);
    expect(asked).toEqual([name]);
    expect(await tableChecksums(databaseUrl(name))).toEqual(await tableChecksums(db().url));
  });

  it('refuses an existing --to-database (exit 4) without touching it', async () => {
    const r = await restoreBackup({ manifestPath: manifestPath(), database: plainTarget(db().url), toDatabase: db().name }, { ...deps, confirm: async () => true });
    expect(!r.ok && r.failure).toMatchObject({ code: 'target_database_exists', exitCode: 4 });
  });

  it('in place: undoes later changes, and asks first (a "no" changes nothing)', async () => {
    const before = await tableChecksums(db().url);
    await db().pool.query(`UPDATE models SET required_tier = 'free' WHERE id = 'gpt-5'; DELETE FROM api_logs WHERE id <= 100; ALTER TABLE models DROP COLUMN allowed_tiers`);
    const changed = await tableChecksums(db().url);
    const no = await restoreBackup({ manifestPath: manifestPath(), database: plainTarget(db().url) }, { ...deps, confirm: async () => false });
    expect(!no.ok && no.failure.exitCode).toBe(4);
    expect(await tableChecksums(db().url)).toEqual(changed);
    const yes = await restoreBackup({ manifestPath: manifestPath(), database: plainTarget(db().url) }, { ...deps, confirm: async (p) => p.tables.some((t) => t.table === 'public.api_logs' && t.currentRows === 400) });
    expect(yes.ok && yes.value.counts.find((c) => c.table === 'public.api_logs')).toEqual({ table: 'public.api_logs', expected: 500, actual: 500 });
    expect(await tableChecksums(db().url)).toEqual(before);
  });

  it('a restore that fails part-way changes nothing (one transaction)', async () => {
    // A view on models that the backup does not know: DROP TABLE models fails, so the whole restore must roll back.
    await db().pool.query(`CREATE VIEW model_names AS SELECT id FROM models; DELETE FROM api_logs WHERE id <= 10`);
    const before = await tableChecksums(db().url);
    const r = await restoreBackup({ manifestPath: manifestPath(), database: plainTarget(db().url) }, { ...deps, confirm: async () => true });
    expect(!r.ok && r.failure.message).toMatch(/rolled back as one transaction[\s\S]*model_names/);
    expect(await tableChecksums(db().url)).toEqual(before);
    await db().pool.query('DROP VIEW model_names');
  });
});
