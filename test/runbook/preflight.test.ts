import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { preflight, type PreflightReport } from '../../src/runbook/preflight/preflight.js';
import { unwrap } from '../../src/shared/failure.js';
import { silentReporter } from '../../src/shared/reporter.js';
import { writeLedgerRow, writeLedgerUpTo } from '../helpers/ledger-rows.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { plainTarget } from '../../src/shared/database-target.js';

const BASELINE = '20251101000000_baseline';
const deps = { reporter: silentReporter };
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

async function database(to: 'baseline' | 'tier', ledgerUpTo: string | null): Promise<TestDatabase> {
  const db = await createTestDatabase(to);
  dbs.push(db);
  await seedSandbox(db, { assignments: to === 'tier', users: false });
  if (ledgerUpTo) await writeLedgerUpTo(db, ledgerUpTo);
  return db;
}

const run = async (db: TestDatabase, extra: Partial<Parameters<typeof preflight>[0]> = {}) => unwrap(await preflight({ database: plainTarget(db.url), backupDir: '/tmp', ...extra }, deps));
const find = (r: PreflightReport, id: string) => r.checks.find((c) => c.id === id)!;

describe('preflight', () => {
  it('a baseline database with its ledger: ready, the tier migration pending', async () => {
    const r = await run(await database('baseline', BASELINE));
    expect(r.blockers).toBe(0);
    expect(r.ready).toBe(true);
    expect(find(r, 'schema-state')).toMatchObject({ status: 'ok', message: `Baseline only: ${TIER_MIGRATION} is pending` });
    const pending = (await loadMigrations()).filter((m) => m.name > BASELINE).map((m) => m.name);
    expect(find(r, 'ledger')).toMatchObject({ status: 'ok', message: `1 applied, ${pending.length} pending (${pending.join(', ')})` });
    expect(find(r, 'pg-dump').status).toBe('ok');
    expect(find(r, 'alter-privilege')).toMatchObject({ status: 'ok', message: 'postgres is a superuser' });
    expect(find(r, 'model-count')).toMatchObject({ status: 'ok', message: '4 models' });
    expect(find(r, 'backup-space').status).toBe('ok');
  });

  it('an empty database (no tables at all) is said to be empty, not "baseline only"; without the API\'s tables it is a blocker (a wrong URL, or migrate apply first)', async () => {
    const db = await createTestDatabase('none');
    dbs.push(db);
    const r = await run(db);
    expect(r.ready).toBe(false);
    expect(find(r, 'model-count')).toMatchObject({ status: 'blocker', message: expect.stringContaining(`${db.name} has no public.users, public.subscriptions, public.models, public.api_logs`) });
    expect(find(r, 'schema-state')).toMatchObject({ status: 'ok', message: `Empty database (no tables at all): the baseline and ${TIER_MIGRATION} are both pending` });
    expect(find(r, 'ledger')).toMatchObject({ status: 'ok', message: 'Empty database: migrate apply will create everything' });
  });

  it('already applied: ready, nothing to do', async () => {
    const r = await run(await database('tier', TIER_MIGRATION));
    expect(r.ready).toBe(true);
    expect(find(r, 'schema-state').message).toMatch(/^Tier migration applied/);
  });

  it('partially applied, the guide\'s "Column already exists" case, is a blocker with the way out', async () => {
    const noRow = await run(await database('tier', BASELINE));
    expect(noRow.ready).toBe(false);
    expect(find(noRow, 'schema-state')).toMatchObject({ status: 'blocker' });
    expect(find(noRow, 'schema-state').message).toContain(`no applied row for ${TIER_MIGRATION}`);
    expect(find(noRow, 'schema-state').hint).toMatch(/Column already exists.*restore the backup.*down\.sql.*migrate resolve --applied/s);

    const db = await database('baseline', BASELINE);
    await db.pool.query(`ALTER TABLE models ADD COLUMN required_tier subscription_tier NOT NULL DEFAULT 'free'`);
    const half = await run(db);
    expect(find(half, 'schema-state').message).toBe('PARTIALLY applied: required_tier present; missing tier_restriction_mode, allowed_tiers, models_required_tier_idx, models_is_available_required_tier_idx');
    expect(half.blockers).toBe(1);
  });

  it('a failed migration pending blocks (P3009); an edited migration.sql is a warning', async () => {
    const failed = await database('baseline', BASELINE);
    await writeLedgerRow(failed, TIER_MIGRATION, { failedWith: 'ERROR: column "required_tier" of relation "models" already exists' });
    const f = find(await run(failed), 'ledger');
    expect(f.status).toBe('blocker');
    expect(f.message).toContain(`Failed migration pending: ${TIER_MIGRATION} (ERROR: column "required_tier"`);

    const edited = await database('baseline', null);
    await writeLedgerRow(edited, BASELINE, { checksum: 'f'.repeat(64) });
    const e = await run(edited);
    expect(find(e, 'ledger')).toMatchObject({ status: 'warn' });
    expect(find(e, 'ledger').message).toContain(`migration.sql edited after it was applied: ${BASELINE}`);
    expect(e.ready).toBe(true);
  });

  it('no ledger on a non-empty schema is a blocker pointing at migrate baseline (Prisma P3005)', async () => {
    const r = await run(await database('baseline', null));
    expect(find(r, 'ledger')).toMatchObject({ status: 'blocker', hint: expect.stringContaining('tierctl migrate baseline') });
  });

  it('names the session whose lock on models would block ALTER TABLE, and long transactions', async () => {
    const db = await database('baseline', BASELINE);
    const other = new pg.Client({ connectionString: db.url, application_name: 'rephlo-backend' });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT count(*) FROM models`);
      await other.query(`SELECT pg_sleep(0.2)`);
      const pid = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const r = await run(db, { longTransactionMs: 100 });
      const locks = find(r, 'models-locks');
      expect(locks.status).toBe('blocker');
      expect(locks.message).toContain(`pid ${pid} (rephlo-backend) holds AccessShareLock`);
      expect(locks.details).toContainEqual(expect.objectContaining({ pid, application: 'rephlo-backend', state: 'idle in transaction', granted: true, query: 'SELECT pg_backend_pid() AS pid' }));
      expect(find(r, 'long-transactions')).toMatchObject({ status: 'warn', details: [expect.objectContaining({ pid, application: 'rephlo-backend' })] });
      expect(r.ready).toBe(false);
    } finally {
      await other.end();
    }
    expect(find(await run(db), 'models-locks').status).toBe('ok');
  });

  it('a running migration (the advisory lock) is a blocker', async () => {
    const db = await database('baseline', BASELINE);
    const other = new pg.Client({ connectionString: db.url, application_name: 'prisma-migrate' });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock(72707369)');
      expect(find(await run(db), 'migration-lock')).toMatchObject({ status: 'blocker', message: expect.stringContaining('(prisma-migrate) holds the migration advisory lock') });
    } finally {
      await other.end();
    }
  });

  it('ALTER needs ownership: a role with only table privileges is a blocker; a member of the owning role is fine', async () => {
    const db = await database('baseline', BASELINE);
    const [owner, deployer] = [`tierctl_t_owner_${process.pid}`, `tierctl_t_deploy_${process.pid}`];
    const url = new URL(db.url);
    url.username = deployer;
    try {
      await db.pool.query(`CREATE ROLE ${owner}; CREATE ROLE ${deployer} LOGIN; ALTER TABLE models OWNER TO ${owner};
        GRANT SELECT, INSERT, UPDATE, DELETE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public TO ${deployer}`);
      const denied = find(await run(db, { database: plainTarget(url.toString()) }), 'alter-privilege');
      expect(denied).toMatchObject({ status: 'blocker', message: `${deployer} cannot ALTER models: it is owned by ${owner}, and ${deployer} is neither that role, a member inheriting it, nor a superuser` });
      await db.pool.query(`GRANT ${owner} TO ${deployer}`);
      expect(find(await run(db, { database: plainTarget(url.toString()) }), 'alter-privilege')).toMatchObject({ status: 'ok', message: `${deployer} inherits the owning role ${owner}` });
    } finally {
      await db.pool.query(`ALTER TABLE models OWNER TO postgres; DROP OWNED BY ${deployer}; DROP ROLE IF EXISTS ${deployer}; DROP ROLE IF EXISTS ${owner}`);
    }
  });

  it('a missing pg_dump or a missing backup directory is a blocker; an unreachable database is exit 3', async () => {
    const db = await database('baseline', BASELINE);
    const r = await run(db, { pgDump: '/nonexistent/pg_dump', backupDir: '/nonexistent-dir' });
    expect(find(r, 'pg-dump')).toMatchObject({ status: 'blocker', message: expect.stringContaining('/nonexistent/pg_dump: not found') });
    expect(find(r, 'backup-space')).toMatchObject({ status: 'blocker', message: 'Backup directory /nonexistent-dir does not exist' });
    const down = await preflight({ database: plainTarget('postgresql://postgres:s3cret@127.0.0.1:1/app') }, deps);
    expect(!down.ok && down.failure).toMatchObject({ code: 'database_unreachable', exitCode: 3 });
    expect(!down.ok && down.failure.message).toContain('127.0.0.1:1');
  });
});
