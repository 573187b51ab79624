import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../src/fixtures/load-fixtures.js';
import { runCli } from '../helpers/run-cli.js';
import { createTestDatabase, useTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('tier');
const tiers = async (d: TestDatabase = db()) =>
  (await d.pool.query(`SELECT id, required_tier::text AS tier, allowed_tiers::text[] AS allowed FROM models ORDER BY id`)).rows;
let fixtures: string;
beforeAll(async () => {
  fixtures = await mkdtemp(join(tmpdir(), 'tierctl-seed-'));
});
afterAll(async () => {
  await rm(fixtures, { recursive: true, force: true });
});

describe('tierctl seed', () => {
  it('a listed model that does not exist is exit 1, nothing changed; the tier schema is required', async () => {
    const r = await runCli(['seed', '--database-url', db().url, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not in the models table: gpt-5, claude-3.5-sonnet, gemini-2.0-pro; nothing was changed');
    expect(r.stderr).toContain('--catalog');
    const baseline = await createTestDatabase('baseline');
    try {
      const b = await runCli(['seed', '--database-url', baseline.url, '--catalog', '--yes']);
      expect(b.code).toBe(1);
      expect(b.stderr).toContain('run tierctl migrate apply first');
      expect((await baseline.pool.query('SELECT count(*)::int AS n FROM models')).rows[0].n).toBe(0);
    } finally {
      await baseline.drop();
    }
  });

  it('--dry-run shows the before -> after and changes nothing', async () => {
    const r = await runCli(['seed', '--database-url', db().url, '--catalog', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/gpt-5\s+│ free \| minimum \| \{free,pro,enterprise\} │ enterprise \| minimum \| \{enterprise\}\s+│ would change/);
    expect(r.stdout).toContain('Dry run: would create/update 4 models; nothing was changed.');
    expect(await tiers()).toEqual([]);
  });

  it('without a terminal or --yes it refuses (exit 4) after showing the plan, changing nothing', async () => {
    const r = await runCli(['seed', '--database-url', db().url, '--catalog']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('Refusing to overwrite the tier assignments of 4 model(s) without confirmation');
    expect(await tiers()).toEqual([]);
  });

  it('--catalog --yes inserts the catalog and sets the tiers in one go; a second run changes nothing', async () => {
    const r = await runCli(['seed', '--database-url', db().url, '--catalog', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Created/updated 4 models');
    expect(await tiers()).toEqual([
      { id: 'claude-3.5-sonnet', tier: 'pro', allowed: ['pro', 'enterprise'] },
      { id: 'gemini-2.0-pro', tier: 'pro', allowed: ['pro', 'enterprise'] },
      { id: 'gpt-4o-mini', tier: 'free', allowed: ['free', 'pro', 'enterprise'] },
      { id: 'gpt-5', tier: 'enterprise', allowed: ['enterprise'] },
    ]);
    const again = await runCli(['seed', '--database-url', db().url, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, touched: 0, inserted: [] });
  });

  it('incoherent assignments are refused (exit 2) before the database is touched', async () => {
    await cp(FIXTURES_DIR, fixtures, { recursive: true });
    const file = join(fixtures, 'tier-assignments.json');
    const json = JSON.parse(await readFile(file, 'utf8'));
    json['gpt-5'] = { requiredTier: 'enterprise', tierRestrictionMode: 'whitelist', allowedTiers: [] };
    await writeFile(file, JSON.stringify(json));
    const before = await tiers();
    const r = await runCli(['seed', '--database-url', db().url, '--yes', '--fixtures', fixtures]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Refusing to seed incoherent tier assignments');
    expect(await tiers()).toEqual(before);
  });
});

describe('tierctl users create', () => {
  const hashes = async () => (await db().pool.query(`SELECT u.email, u.password_hash AS hash, s.tier::text FROM users u JOIN subscriptions s ON s.user_id = u.id ORDER BY u.email`)).rows;

  it("creates the guide's users, then reports them unchanged; never prints the password", async () => {
    const r = await runCli(['users', 'create', '--database-url', db().url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/pro@example\.com\s+│ pro\s+│ created/);
    const users = await hashes();
    expect(users.map((u) => [u.email, u.tier])).toEqual([['enterprise@example.com', 'enterprise'], ['free@example.com', 'free'], ['pro@example.com', 'pro']]);
    expect(await bcrypt.compare('Password123!', users[0].hash)).toBe(true);
    const again = await runCli(['users', 'create', '--database-url', db().url]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('All 3 test users already exist and are up to date: unchanged.');
    expect(await hashes()).toEqual(users);
    for (const out of [r.stdout, r.stderr, again.stdout, again.stderr]) expect(out).not.toContain('Password123!');
  });

  it('--password-env takes the password from that variable (unset: exit 2)', async () => {
    const missing = await runCli(['users', 'create', '--database-url', db().url, '--password-env', 'NOT_SET_ANYWHERE']);
    expect(missing.code).toBe(2);
    const r = await runCli(['users', 'create', '--database-url', db().url, '--password-env', 'TEST_PW', '--json'], { env: { TEST_PW: 'correct horse battery' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ passwordSource: '$TEST_PW', changed: 3 });
    expect(r.stdout + r.stderr).not.toContain('correct horse battery');
    expect(await bcrypt.compare('correct horse battery', (await hashes())[1].hash)).toBe(true);
  });

  it('--remove asks (no terminal: exit 4), and with --yes deletes exactly those users', async () => {
    await db().pool.query(`INSERT INTO users (email, password_hash) VALUES ('someone@else.example', 'x')`);
    const refused = await runCli(['users', 'create', '--remove', '--database-url', db().url]);
    expect(refused.code).toBe(4);
    expect((await hashes()).length).toBe(3);
    const r = await runCli(['users', 'create', '--remove', '--yes', '--database-url', db().url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Removed 3 test user(s)');
    expect((await db().pool.query('SELECT email FROM users')).rows).toEqual([{ email: 'someone@else.example' }]);
    expect((await db().pool.query('SELECT count(*)::int AS n FROM subscriptions')).rows[0].n).toBe(0);
  });
});
