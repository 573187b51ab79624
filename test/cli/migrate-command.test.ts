import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, TIER_MIGRATION, type MigrationFile } from '../../src/db/migrations/migration-files.js';
import { copyMigrations, editFile } from '../helpers/migrations-dir.js';
import { writeLedgerUpTo } from '../helpers/ledger-rows.js';
import { ledgerRows } from '../helpers/migrate.js';
import { runCli } from '../helpers/run-cli.js';
import { catalogOf, createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let files: MigrationFile[];
const dbs: TestDatabase[] = [];
const fresh = async () => {
  const db = await createTestDatabase('none');
  dbs.push(db);
  return db;
};
beforeAll(async () => {
  files = await loadMigrations();
});
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
});

const migrate = (db: TestDatabase | string, ...args: string[]) => runCli(['migrate', ...args, '--database-url', typeof db === 'string' ? db : db.url]);

describe.concurrent('tierctl migrate: bad inputs', () => {
  it('a malformed URL is a usage error (exit 2) that does not echo it', async () => {
    const r = await runCli(['migrate', 'status', '--database-url', 'postgres//user:s3cret@host/db']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--database-url / DATABASE_URL: expected a postgres:// or postgresql:// URL');
    expect(r.stderr).not.toContain('s3cret');
  });

  it('an unreachable host is exit 3, naming host and port but not the password', async () => {
    const r = await migrate('postgresql://postgres:s3cret@127.0.0.1:1/app', 'apply', '--yes');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Cannot reach PostgreSQL at 127.0.0.1:1/app');
    expect(r.stderr + r.stdout).not.toContain('s3cret');
  });

  it('bad --lock-timeout, --retries or --migrations-dir values are exit 2', async () => {
    const db = await fresh();
    for (const [flag, value, says] of [
      ['--lock-timeout', 'soon', '--lock-timeout: expected a duration'],
      ['--retries', '-1', '--retries: expected a whole number'],
      ['--migrations-dir', '/nonexistent/migrations', 'does not exist'],
    ] as const) {
      const r = await migrate(db, 'apply', flag, value);
      expect(r.code, flag).toBe(2);
      expect(r.stderr).toContain(says);
    }
    expect(await ledgerRows(db)).toEqual([]);
  });
});

// Each test spawns several CLI runs, all at once with the other tests: give them time on a busy machine.
describe.concurrent('tierctl migrate status, apply and rollback', { timeout: 90_000 }, () => {
  it('status exits 1 while migrations are pending and 0 once up to date (as prisma migrate status)', async () => {
    const db = await fresh();
    const before = await migrate(db, 'status');
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('Following migrations have not yet been applied:');
    const dry = await migrate(db, 'apply', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`-- [1] ALTER TABLE: ACCESS EXCLUSIVE on "models" (blocks reads and writes)`);
    expect(dry.stdout).toContain(`-- [2] CREATE INDEX: SHARE on "models" (blocks writes, not reads)`);
    expect(await ledgerRows(db)).toEqual([]);
    const applied = await migrate(db, 'apply');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("models has the guide's tier columns and indexes (step 5)");
    const after = await migrate(db, 'status', '--json');
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ ok: true, upToDate: true, pending: [], tierSchema: { state: 'present' } });
  });

  it('5 concurrent applies: each migration applied exactly once, every run exits 0', async () => {
    const db = await fresh();
    const runs = await Promise.all(Array.from({ length: 5 }, () => migrate(db, 'apply', '--json')));
    expect(runs.map((r) => r.code), runs.map((r) => r.stderr).join('\n')).toEqual([0, 0, 0, 0, 0]);
    const applied = runs.flatMap((r) => (JSON.parse(r.stdout) as { applied: { name: string }[] }).applied.map((a) => a.name));
    expect(applied.sort()).toEqual(files.map((f) => f.name));
    expect((await ledgerRows(db)).map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    expect(runs.filter((r) => (JSON.parse(r.stdout) as { applied: unknown[] }).applied.length === 0)).toHaveLength(4);
  });

  it('rollback without a terminal and without --yes refuses (exit 4), changing nothing; with --yes it runs', async () => {
    const db = await fresh();
    expect((await migrate(db, 'apply')).code).toBe(0);
    const before = await catalogOf(db);
    const refused = await migrate(db, 'rollback');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('without confirmation: no terminal to ask on');
    expect(await catalogOf(db)).toEqual(before);
    const done = await migrate(db, 'rollback', '--yes', '--reason', 'cli test');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('models has none of the tier columns and indexes any more (guide rollback step 6)');
    const status = await migrate(db, 'status');
    expect(status.stdout).toContain('rolled back (tierctl)');
  });

  it('rollback with nothing applied says so; it does not claim the database is at the baseline', async () => {
    const db = await createTestDatabase('baseline');
    dbs.push(db);
    const baseline = files.filter((f) => f.name < TIER_MIGRATION).at(-1)!.name;
    await writeLedgerUpTo(db, baseline);
    const r = await migrate(db, 'rollback', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Nothing to roll back: no migration after ${baseline} is applied.`);
    expect(r.stdout).not.toContain('the database is at');
  });

  it("rollback on a database without the API's tables is a configuration error (exit 2) naming them, not 'nothing to roll back'", async () => {
    const db = await fresh();
    const r = await migrate(db, 'rollback', '--yes');
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toContain(`${db.name} has no public.users, public.subscriptions, public.models, public.api_logs`);
    expect(r.stdout).not.toContain('Nothing to roll back');
    expect(await ledgerRows(db)).toEqual([]);
  });

  it('apply to a database on another host asks first: no terminal and no --yes is exit 4', async () => {
    const db = await fresh();
    // The same server, addressed as an IPv4-mapped IPv6 address: not a name tierctl treats as local.
    const remote = db.url.replace('127.0.0.1', '[::ffff:127.0.0.1]');
    const r = await migrate(remote, 'apply');
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('Refusing to apply');
    expect(await ledgerRows(db)).toEqual([]);
    expect((await migrate(remote, 'apply', '--yes')).code).toBe(0);
  });

  it('a tampered migration.sql: status shows it (exit 0, or 1 with --strict), apply refuses (exit 4)', async () => {
    const db = await fresh();
    const dir = await copyMigrations();
    expect((await migrate(db, 'apply', '--migrations-dir', dir)).code).toBe(0);
    await editFile(dir, TIER_MIGRATION, 'migration.sql', (sql) => sql.replace("DEFAULT 'free'", "DEFAULT 'pro'"));
    const status = await migrate(db, 'status', '--migrations-dir', dir);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('applied, modified since (checksum)');
    expect(status.stdout).toContain(`warning The migration \`${TIER_MIGRATION}\` was modified after being applied`);
    expect((await migrate(db, 'status', '--migrations-dir', dir, '--strict')).code).toBe(1);
    const apply = await migrate(db, 'apply', '--migrations-dir', dir);
    expect(apply.code).toBe(4);
    expect(apply.stderr).toContain('migration_modified');
  });
});
