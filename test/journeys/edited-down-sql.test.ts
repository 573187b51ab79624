/**
 * Case 4 of issue 13 and safety rule 4 (a rollback removes only what its migration added):
 * an edited down.sql is shown and refused unless a flag names it, and even then a down.sql
 * that removes anything its migration did not add aborts with nothing changed. Also for
 * migrations Prisma applied (no tierctl record): the check replays migration.sql.
 */
import { appendFile, cp } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { packagePath } from '../../src/shared/package-root.js';
import { appliedMigrations, tableNames, tierColumnNames, tierValues, useJourney, userEmails, type Journey } from '../helpers/journey.js';

const USERS = ['enterprise@example.com', 'free@example.com', 'pro@example.com'];

/** The operator's copy of the migrations with `DROP TABLE users CASCADE;` appended to the tier migration's down.sql. */
async function editedMigrations(j: Journey): Promise<string> {
  const dir = join(j.dir, 'migrations-edited');
  await cp(packagePath('prisma', 'migrations'), dir, { recursive: true });
  await appendFile(join(dir, TIER_MIGRATION, 'down.sql'), '\nDROP TABLE users CASCADE;\n');
  return dir;
}

async function state(j: Journey) {
  return { tables: await tableNames(j), tiers: await tierValues(j), ledger: await appliedMigrations(j), users: await userEmails(j) };
}

describe('journey: edited down.sql after tierctl applied the migration', () => {
  const journey = useJourney('baseline');
  let edited: string;
  beforeAll(async () => {
    const j = journey();
    expect((await j.tierctl(['migrate', 'apply', '--yes'])).code).toBe(0);
    expect((await j.tierctl(['users', 'create', '--yes'])).code).toBe(0);
    edited = await editedMigrations(j);
  });

  it('preflight warns of the edited down.sql before anything changes (and not of the file as applied)', async () => {
    const j = journey();
    const downCheck = async (args: string[]) => {
      const r = await j.tierctl(['preflight', '--json', '--backup-dir', j.dir, ...args]);
      return (JSON.parse(r.stdout).checks as { id: string; status: string; message: string; hint?: string }[]).find((c) => c.id === 'down-sql');
    };
    expect(await downCheck([])).toMatchObject({ status: 'ok', message: '4 applied migration(s) with the down.sql they were applied with' });
    const warned = await downCheck(['--migrations-dir', edited]);
    expect(warned).toMatchObject({ status: 'warn', message: `down.sql edited since its migration was applied: ${TIER_MIGRATION} (a rollback refuses it)` });
    expect(warned!.hint).toContain(`--allow-edited-down ${TIER_MIGRATION}`);
  });

  it('refuses the edited down.sql and shows it; nothing changed', async () => {
    const j = journey();
    const before = await state(j);
    expect(before.users).toEqual(USERS);
    const r = await j.tierctl(['migrate', 'rollback', '--migrations-dir', edited, '--accept-loss', '--yes']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/edited since its migration was applied/);
    expect(r.stderr).toMatch(/\| DROP TABLE users CASCADE;/);
    expect(r.stderr).toMatch(/--allow-edited-down 20251108000000_add_model_tier_access_control/);
    expect(await state(j)).toEqual(before);
  });

  it('named with --allow-edited-down, the catalog check still aborts it: users is not the migration\'s to drop', async () => {
    const j = journey();
    const before = await state(j);
    const r = await j.tierctl(['migrate', 'rollback', '--migrations-dir', edited, '--accept-loss', '--yes', '--allow-edited-down', TIER_MIGRATION]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/removed table users/);
    expect(await state(j)).toEqual(before);
  });

  it('the reviewed, unedited down.sql rolls back the tier migration and nothing else', async () => {
    const j = journey();
    const r = await j.tierctl(['migrate', 'rollback', '--accept-loss', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await tierColumnNames(j)).toEqual([]);
    expect(await userEmails(j)).toEqual(USERS);
    expect(await appliedMigrations(j)).not.toContain(TIER_MIGRATION);
  });
});

describe('journey: a database Prisma deployed (plain SQL, no tierctl record), rolled back by tierctl', () => {
  const journey = useJourney('deployed');

  it('an edited down.sql that drops users aborts on the catalog check (migration.sql replayed); nothing changed', async () => {
    const j = journey();
    await j.sql(`INSERT INTO users (id, email, password_hash, updated_at) VALUES (gen_random_uuid(), 'someone@customer.example', '$2b$10$x', now())`);
    const before = await state(j);
    const r = await j.tierctl(['migrate', 'rollback', '--migrations-dir', await editedMigrations(j), '--accept-loss', '--yes']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/removed table users/);
    expect(await state(j)).toEqual(before);
  });

  it("an index the operator added on a tier column would go with the column: refused, named; once dropped by hand, the rollback runs", async () => {
    const j = journey();
    await j.sql(`CREATE INDEX models_ops_by_tier_idx ON models (provider, required_tier)`);
    const before = await state(j);
    const r = await j.tierctl(['migrate', 'rollback', '--accept-loss', '--yes']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/removed index models_ops_by_tier_idx/);
    expect(await state(j)).toEqual(before);
    expect((await j.sql(`SELECT 1 FROM pg_indexes WHERE indexname = 'models_ops_by_tier_idx'`)).length).toBe(1);

    await j.sql(`DROP INDEX models_ops_by_tier_idx`);
    const ok = await j.tierctl(['migrate', 'rollback', '--accept-loss', '--yes']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await tierColumnNames(j)).toEqual([]);
    expect(await userEmails(j)).toEqual(before.users);
  });
});
