/**
 * Issue 19 item 4: TIERCTL_MIGRATIONS_DIR (and --migrations-dir, and a .env entry) is one
 * setting that every command reading the migrations honours: migrate status, preflight,
 * deploy and rollback apply, judge and roll back the migrations of that directory, not the
 * packaged ones. The directory here is the project's migrations plus one of the operator's
 * own (a marker table), so which directory a command read shows in the database.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { appliedMigrations, jsonOf, tableNames, tierColumnNames, useJourney } from '../helpers/journey.js';
import { addMigration, copyMigrations, editFile } from '../helpers/migrations-dir.js';
import { useJourneyApp } from '../helpers/journey-app.js';

const MARKER = '20251201000000_operator_marker';
const journey = useJourney('baseline');
const app = useJourneyApp(journey);
let dir: string;
beforeAll(async () => {
  dir = await copyMigrations();
  await addMigration(dir, MARKER, 'CREATE TABLE operator_marker (id int PRIMARY KEY);\n', 'DROP TABLE operator_marker;\n');
});

interface Check { id: string; status: string; message: string }

describe('journey: one migrations directory for every command', () => {
  it('migrate status (from .env), preflight, deploy and rollback (from the environment) all use it', async () => {
    const j = journey();
    const env = { TIERCTL_MIGRATIONS_DIR: dir };

    // .env in the working directory: the same setting, lowest precedence.
    await writeFile(join(j.dir, '.env'), `TIERCTL_MIGRATIONS_DIR=${dir}\n`);
    const status = await j.tierctl(['migrate', 'status', '--json']);
    expect(jsonOf<{ migrationsDir: string; pending: string[] }>(status)).toMatchObject({ migrationsDir: dir, pending: expect.arrayContaining([TIER_MIGRATION, MARKER]) });
    await writeFile(join(j.dir, '.env'), '');

    const preflight = jsonOf<{ checks: Check[] }>(await j.tierctl(['preflight', '--backup-dir', j.dir, '--json'], env));
    expect(preflight.checks.find((c) => c.id === 'ledger')?.message).toContain(MARKER);

    const deploy = await j.tierctl(['deploy', '--api-url', app().url, '--backup-dir', j.dir, '--journal', join(j.dir, 'journal.json'), '--seed', '--test-users', '--wait', '10', '--yes', '--json'], env);
    expect(jsonOf<{ outcome: string }>(deploy).outcome, deploy.stderr).toBe('succeeded');
    const packaged = (await loadMigrations()).map((m) => m.name);
    expect(await appliedMigrations(j)).toEqual([...packaged, MARKER]);
    expect(await tableNames(j)).toContain('operator_marker');

    // Without the setting, preflight reads the packaged migrations: the marker is applied but unknown to them.
    const packagedView = jsonOf<{ checks: Check[] }>(await j.tierctl(['preflight', '--backup-dir', j.dir, '--json']));
    expect(packagedView.checks.find((c) => c.id === 'ledger')).toMatchObject({ status: 'warn', message: expect.stringContaining(`not in prisma/migrations: ${MARKER}`) });
    const withDir = jsonOf<{ checks: Check[] }>(await j.tierctl(['preflight', '--backup-dir', j.dir, '--json'], env));
    expect(withDir.checks.find((c) => c.id === 'ledger')?.status).toBe('ok');

    const rollback = await j.tierctl(['rollback', '--accept-loss', '--yes', '--json'], env);
    expect(jsonOf<{ outcome: string }>(rollback).outcome, rollback.stderr).toBe('rolled_back');
    expect(await tableNames(j)).not.toContain('operator_marker');
    expect(await tierColumnNames(j)).toEqual([]);
    expect(await appliedMigrations(j)).toEqual(packaged.filter((m) => m < TIER_MIGRATION));
  }, 120_000);

  it('rehearse drills the same directory: its deploy applies the operator migration, its rollback drill undoes it', async () => {
    const j = journey();
    const r = await j.tierctl(['rehearse', '--json'], { TIERCTL_MIGRATIONS_DIR: dir });
    const report = jsonOf<{ outcome: string; deploy: { phases: { id: string; data?: { applied?: { name: string }[] } }[] }; rollback: { phases: { id: string; data?: { rolledBack?: string[] } }[] }; leftovers: string[] }>(r);
    expect(report.outcome, r.stderr).toBe('passed');
    expect(report.deploy.phases.find((p) => p.id === 'migrate')?.data?.applied?.map((a) => a.name)).toContain(MARKER);
    expect(report.rollback.phases.find((p) => p.id === 'migrate-rollback')?.data?.rolledBack).toContain(MARKER);
    expect(report.leftovers).toEqual([]);
  }, 180_000);

  it('preflight names the migrations directory it used (setting or flag), not prisma/migrations, in its findings and hints', async () => {
    const j = journey();
    const env = { TIERCTL_MIGRATIONS_DIR: dir };
    expect((await j.tierctl(['migrate', 'apply', '--yes'], env)).code).toBe(0);
    try {
      // A directory without the operator's migration (applied, but unknown to it) and with the tier migration's down.sql edited since it was applied.
      const other = await copyMigrations();
      await editFile(other, TIER_MIGRATION, 'down.sql', (sql) => `${sql}-- reviewed\n`);
      for (const run of [() => j.tierctl(['preflight', '--backup-dir', j.dir, '--json'], { TIERCTL_MIGRATIONS_DIR: other }), () => j.tierctl(['preflight', '--backup-dir', j.dir, '--migrations-dir', other, '--json'])]) {
        const checks = jsonOf<{ checks: (Check & { hint?: string })[] }>(await run()).checks;
        expect(checks.find((c) => c.id === 'ledger')).toMatchObject({ status: 'warn', message: expect.stringContaining(`applied in the database but not in ${other}: ${MARKER}`) });
        expect(checks.find((c) => c.id === 'down-sql')).toMatchObject({ status: 'warn', hint: expect.stringContaining(`git diff ${other}/NAME/down.sql`) });
        expect(JSON.stringify(checks)).not.toContain('prisma/migrations');
      }
    } finally {
      expect((await j.tierctl(['migrate', 'rollback', '--accept-loss', '--yes'], env)).code).toBe(0);
    }
  }, 90_000);
});
