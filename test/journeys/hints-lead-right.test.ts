/**
 * Issue 19 item 13: the hints lead somewhere that works, on one database deployed without
 * tierctl. After the guide's manual rollback SQL, `migrate status` and `preflight` point at
 * `tierctl migrate rollback`, and it does repair the ledger; after part of that SQL too (a
 * backup of the columns left is accepted as --backup). On a partially applied tier
 * schema, `migrate status` does not suggest the `migrate apply` that refuses. Rollback
 * step 6 judges the models that existed at the backup: one added since is listed as a
 * warning (exit 0), one changed fails.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { appliedMigrations, backupInto, jsonOf, tierColumnNames, useJourney } from '../helpers/journey.js';

const journey = useJourney('deployed');

const GUIDE_ROLLBACK_SQL = `
DROP INDEX IF EXISTS models_is_available_required_tier_idx;
DROP INDEX IF EXISTS models_required_tier_idx;
ALTER TABLE models DROP COLUMN IF EXISTS allowed_tiers;
ALTER TABLE models DROP COLUMN IF EXISTS tier_restriction_mode;
ALTER TABLE models DROP COLUMN IF EXISTS required_tier;`;

interface Verification { id: string; result: string; detail: string }

describe('journey: hints that lead right', () => {
  it("after the guide's manual rollback SQL, the hints name `tierctl migrate rollback`, which repairs the ledger", async () => {
    const j = journey();
    const all = (await loadMigrations()).map((m) => m.name);
    const beforeTier = all.filter((m) => m < TIER_MIGRATION);
    await j.sql(GUIDE_ROLLBACK_SQL);

    const status = await j.tierctl(['migrate', 'status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/tier_schema_drift|drift/);
    expect(status.stdout).toContain('run `tierctl migrate rollback`');
    const preflight = jsonOf<{ checks: { id: string; status: string; hint?: string }[] }>(await j.tierctl(['preflight', '--backup-dir', j.dir, '--json']));
    expect(preflight.checks.find((c) => c.id === 'schema-state')).toMatchObject({ status: 'blocker', hint: expect.stringContaining('tierctl migrate rollback') });

    const repaired = await j.tierctl(['migrate', 'rollback', '--yes']);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(await appliedMigrations(j)).toEqual(beforeTier);
    const after = await j.tierctl(['migrate', 'status', '--json']);
    expect(jsonOf<{ problems: unknown[]; pending: string[]; applyRefusedBy: string[] }>(after)).toMatchObject({ problems: [], pending: all.filter((m) => m >= TIER_MIGRATION), applyRefusedBy: [] });
    expect((await j.tierctl(['migrate', 'status'])).stdout).toContain('To apply migrations run: tierctl migrate apply');
  }, 60_000);

  it("after part of the guide's manual rollback SQL (allowed_tiers dropped, required_tier left), the hints lead to `tierctl migrate rollback`, and following them repairs the ledger", async () => {
    const j = journey();
    const all = (await loadMigrations()).map((m) => m.name);
    expect((await j.tierctl(['migrate', 'apply', '--yes'])).code).toBe(0);
    expect((await j.tierctl(['seed', '--yes'])).code).toBe(0);
    await j.sql('ALTER TABLE models DROP COLUMN allowed_tiers');

    const status = await j.tierctl(['migrate', 'status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('allowed_tiers is missing from the database (drift)');
    expect(status.stdout).toContain('run `tierctl migrate rollback`');
    const preflight = jsonOf<{ checks: { id: string; status: string; message: string; hint?: string }[] }>(await j.tierctl(['preflight', '--backup-dir', j.dir, '--json']));
    const schemaState = preflight.checks.find((c) => c.id === 'schema-state')!;
    expect(schemaState).toMatchObject({ status: 'blocker', message: expect.stringContaining('allowed_tiers is missing'), hint: expect.stringContaining('tierctl migrate rollback') });
    // Not the commands that refuse here: the migration is recorded, there is nothing to resolve or apply.
    expect(schemaState.hint).not.toMatch(/resolve --applied|apply again/);

    // Following the hint: the seeded required_tier values are still there, so the guard asks for a backup of them; that backup is accepted.
    const bare = await j.tierctl(['migrate', 'rollback', '--yes']);
    expect(bare.code).toBe(4);
    expect(bare.stderr).toContain('--backup');
    const manifest = await backupInto(j, 'partial-drop');
    const repaired = await j.tierctl(['migrate', 'rollback', '--backup', manifest, '--yes']);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(await tierColumnNames(j)).toEqual([]);
    expect(await appliedMigrations(j)).toEqual(all.filter((m) => m < TIER_MIGRATION));
    expect(jsonOf<{ problems: unknown[] }>(await j.tierctl(['migrate', 'status', '--json'])).problems).toEqual([]);
  }, 90_000);

  it('a partially applied tier schema: status names the refusal, not `migrate apply`; apply indeed refuses', async () => {
    const j = journey();
    await j.sql(`ALTER TABLE models ADD COLUMN required_tier subscription_tier NOT NULL DEFAULT 'free'`);
    const status = await j.tierctl(['migrate', 'status']);
    expect(status.code).toBe(1);
    expect(status.stdout).not.toContain('To apply migrations run: tierctl migrate apply');
    expect(status.stdout).toContain('tierctl migrate apply refuses until the problem above (tier_schema_partial) is resolved');
    const apply = await j.tierctl(['migrate', 'apply', '--yes']);
    expect(apply.code).toBe(4);
    await j.sql(`ALTER TABLE models DROP COLUMN required_tier`);
  }, 60_000);

  it("rollback step 6, as the README's example runs it: a model added after the migration is a warning (exit 0); a model changed since fails (exit 1)", async () => {
    const j = journey();
    const deploy = async () => {
      expect((await j.tierctl(['migrate', 'apply', '--yes'])).code).toBe(0);
      expect((await j.tierctl(['seed', '--yes'])).code).toBe(0);
    };
    // The backup deploy takes before the migration: its CSV is step 6's reference; as --backup it is refused.
    const preMigration = await backupInto(j, 'pre-migration');
    const preDir = join(j.dir, 'pre-migration');
    const csv = join(preDir, (await readdir(preDir)).find((f) => f.startsWith('models_before_migration_'))!);
    await deploy();
    await j.sql(`INSERT INTO models (id, name, display_name, provider) VALUES ('added-after-backup', 'added', 'Added After Backup', 'mock')`);
    const refused = await j.tierctl(['rollback', '--backup', preMigration, '--yes']);
    expect(refused.code, refused.stderr).toBe(4);
    expect(await tierColumnNames(j)).toHaveLength(3);
    const b1 = await backupInto(j, 'before-rollback');
    const added = await j.tierctl(['rollback', '--backup', b1, '--models-csv', csv, '--yes', '--json']);
    expect(added.code, added.stderr).toBe(0);
    const v1 = jsonOf<{ outcome: string; verification: Verification[] }>(added);
    expect(v1.outcome).toBe('rolled_back');
    expect(v1.verification.find((v) => v.id === 'models-csv')).toMatchObject({ result: 'warn', detail: expect.stringContaining('added since the backup (not in it, kept): added-after-backup') });
    expect(await tierColumnNames(j)).toEqual([]);

    await deploy();
    const b2 = await backupInto(j, 'before-changed');
    await j.sql(`UPDATE models SET display_name = 'Renamed After Backup' WHERE id = 'gpt-5'`);
    const changed = await j.tierctl(['rollback', '--backup', b2, '--models-csv', csv, '--yes', '--json']);
    expect(changed.code, changed.stderr).toBe(1);
    const v2 = jsonOf<{ verification: Verification[] }>(changed).verification.find((v) => v.id === 'models-csv');
    expect(v2).toMatchObject({ result: 'fail', detail: expect.stringMatching(/models that existed before the migration: changed gpt-5,.* → gpt-5,Renamed After Backup,/) });
    expect(v2?.detail).toContain('added since: added-after-backup');
  }, 120_000);
});
