/**
 * Case 8 of issue 13 and safety rule 2 (validate everything before changing anything):
 * `rollback --restore` and `restore` with a backup of another database refuse up front
 * (exit 4), naming both databases, before the stop hook or any write; the backup of this
 * database, taken before the migration, rolls it back.
 */
import { access, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { writeLedgerUpTo } from '../helpers/ledger-rows.js';
import { runCli } from '../helpers/run-cli.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { appliedMigrations, tierColumnNames, tierValues, useJourney, userEmails, type Journey } from '../helpers/journey.js';

const journey = useJourney('baseline');
let other: TestDatabase;
let ownBackup: string;
let otherBackup: string;

async function backup(j: Journey, name: string, url: string): Promise<string> {
  const dir = join(j.dir, name);
  await mkdir(dir);
  const r = await runCli(['backup', '--dir', dir], { env: { DATABASE_URL: url } });
  expect(r.code, r.stderr).toBe(0);
  return join(dir, (await readdir(dir)).find((f) => f.endsWith('.manifest.json'))!);
}

beforeAll(async () => {
  const j = journey();
  // Another database of the same application (staging, say): same schema, other rows.
  other = await createTestDatabase('baseline');
  await writeLedgerUpTo(other, (await loadMigrations()).filter((m) => m.name < TIER_MIGRATION).at(-1)!.name);
  await seedSandbox(other, { assignments: false, users: false });
  await other.pool.query(`INSERT INTO models (id, name, display_name, provider, updated_at) VALUES ('staging-only', 'staging-only', 'Staging only', 'mock', now())`);
  ownBackup = await backup(j, 'own', j.db.url);
  otherBackup = await backup(j, 'other', other.url);
  // The deployment the rollback is about.
  expect((await j.tierctl(['migrate', 'apply', '--yes'])).code).toBe(0);
  expect((await j.tierctl(['seed', '--yes'])).code).toBe(0);
  expect((await j.tierctl(['users', 'create', '--yes'])).code).toBe(0);
});
afterAll(async () => {
  await other?.drop();
});

async function state(j: Journey) {
  return { tiers: await tierValues(j), ledger: await appliedMigrations(j), users: await userEmails(j), models: (await j.sql(`SELECT id FROM models ORDER BY id`)).map((r) => r.id) };
}

describe('journey: restoring a backup of another database', () => {
  it('rollback --restore refuses before its first step, naming both databases; nothing changed, the stop hook never ran', async () => {
    const j = journey();
    const before = await state(j);
    const marker = join(j.dir, 'stopped');
    const r = await j.tierctl(['rollback', '--restore', otherBackup, '--stop-cmd', `touch ${marker}`, '--yes']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain(`is a backup of database "${other.name}" (oid`);
    expect(r.stderr).toContain(`not of "${j.db.name}" (oid`);
    await expect(access(marker)).rejects.toThrow();
    expect(await state(j)).toEqual(before);
  });

  it('restore refuses it up front too, naming both', async () => {
    const j = journey();
    const before = await state(j);
    const r = await j.tierctl(['restore', otherBackup, '--yes']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(new RegExp(`backup of database "${other.name}" \\(oid \\d+, cluster \\d+\\), not of "${j.db.name}" \\(oid \\d+`));
    expect(await state(j)).toEqual(before);
  });

  it("this database's own backup from before the migration rolls it back", async () => {
    const j = journey();
    const r = await j.tierctl(['rollback', '--restore', ownBackup, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await tierColumnNames(j)).toEqual([]);
    expect((await state(j)).models).not.toContain('staging-only');
  });
});
