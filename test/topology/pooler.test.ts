/**
 * Session work through a real PgBouncer in transaction mode. Without a direct URL,
 * migrate/rollback/backup/restore refuse before any lock (exit 2, naming DIRECT_URL) and
 * preflight reports a blocker; with DIRECT_URL they run there, and three concurrent applies,
 * three rounds, leave no advisory lock and no duplicate ledger row.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSession } from '../../src/db/pooler-check.js';
import { PRISMA_ADVISORY_LOCK_KEY } from '../../src/db/migrations/ledger.js';
import { loadMigrations } from '../../src/db/migrations/migration-files.js';
import { unwrap } from '../../src/shared/failure.js';
import { rollback } from '../helpers/migrate.js';
import { startPgBouncer, usePgBouncer } from '../helpers/pgbouncer.js';
import { runCli } from '../helpers/run-cli.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const db = useTestDatabase('none');
const bouncer = usePgBouncer(() => db().url);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierctl-pooler-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Sessions holding the migration advisory lock in this database (other test files take it in theirs; a backend that is ending may hold it a moment). */
const advisoryLocks = async () =>
  (await db().pool.query(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid::bigint = $1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, [PRISMA_ADVISORY_LOCK_KEY])).rowCount;
/** Ledger rows per migration that Prisma counts as applied (a duplicate would be 2). */
const appliedRows = async () => {
  const exists = (await db().pool.query(`SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS found`)).rows[0].found;
  if (!exists) return {};
  const { rows } = await db().pool.query<{ name: string; n: number }>(
    `SELECT migration_name AS name, count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.n]));
};
const cli = (args: string[], env: Record<string, string>) => runCli(args, { env });
const pooledOnly = () => ({ DATABASE_URL: bouncer().url });
const pooledWithDirect = () => ({ DATABASE_URL: bouncer().url, DIRECT_URL: db().url });

describe('the session probe', () => {
  it('sees a session connection, a transaction pooler, a session-mode pooler and a pool of one for what they are', async () => {
    expect(unwrap(await probeSession(db().url)).pooled).toBe(false);
    expect(unwrap(await probeSession(bouncer().url))).toMatchObject({ pooled: true, evidence: expect.stringMatching(/backend/) });
    const session = await startPgBouncer(db().url, { poolMode: 'session' });
    const one = await startPgBouncer(db().url, { poolSize: 1, settings: { server_round_robin: '1' } });
    try {
      expect(unwrap(await probeSession(session.url)).pooled).toBe(false);
      expect(unwrap(await probeSession(one.url)).pooled).toBe(true);
    } finally {
      await Promise.all([session.stop(), one.stop()]);
    }
  });
});

describe('through PgBouncer in transaction mode', () => {
  it('without DIRECT_URL: migrate apply/rollback, backup and restore refuse (exit 2, naming DIRECT_URL) before any lock; status reads', async () => {
    const refusals = await Promise.all([
      cli(['migrate', 'apply'], pooledOnly()),
      cli(['migrate', 'rollback', '--yes', '--accept-loss'], pooledOnly()),
      cli(['backup', '--dir', dir], pooledOnly()),
    ]);
    for (const r of refusals) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/goes through a transaction pooler.*no lock was taken/s);
      expect(r.stderr).toContain('Set DIRECT_URL');
    }
    await waitFor('no advisory lock', async () => (await advisoryLocks()) === 0, 5000);
    expect(await appliedRows()).toEqual({});
    const status = await cli(['migrate', 'status', '--json'], pooledOnly());
    expect(JSON.parse(status.stdout)).toMatchObject({ ledgerPresent: false });
    const preflight = JSON.parse((await cli(['preflight', '--json', '--backup-dir', dir], pooledOnly())).stdout);
    expect(preflight.checks.find((c: { id: string }) => c.id === 'session')).toMatchObject({ status: 'blocker', hint: expect.stringContaining('DIRECT_URL') });
  });

  it('a DIRECT_URL that itself goes through the pooler is refused, naming it', async () => {
    const r = await cli(['migrate', 'apply'], { DATABASE_URL: db().url, DIRECT_URL: bouncer().url });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error DIRECT_URL \(postgresql:\/\/postgres@127\.0\.0\.1:\d+\/\S+\) goes through a transaction pooler/m);
  });

  it('three concurrent applies, three rounds, leave no lock and no duplicate ledger row (without DIRECT_URL: all refuse)', async () => {
    for (let round = 0; round < 3; round++) {
      const before = await appliedRows();
      const refused = await Promise.all([0, 1, 2].map(() => cli(['migrate', 'apply'], pooledOnly())));
      expect(refused.map((r) => r.code)).toEqual([2, 2, 2]);
      await waitFor('no advisory lock after the refusals', async () => (await advisoryLocks()) === 0, 5000);
      expect(await appliedRows()).toEqual(before);
      const runs = await Promise.all([0, 1, 2].map(() => cli(['migrate', 'apply', '--json', '--wait', '30s'], pooledWithDirect())));
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      const applied = runs.map((r) => (JSON.parse(r.stdout) as { applied: { name: string }[] }).applied.length);
      expect(applied.filter((n) => n > 0), `round ${round}: one run applies, the others find nothing pending`).toHaveLength(1);
      const rows = await appliedRows();
      expect(rows, 'every migration recorded applied exactly once').toEqual(Object.fromEntries((await loadMigrations()).map((m) => [m.name, 1])));
      await waitFor('no advisory lock', async () => (await advisoryLocks()) === 0, 5000);
      if (round < 2) await rollback(db(), { acceptLoss: true, to: Object.keys(rows)[0]! });
    }
    // The preflight sees the direct URL as a session of its own.
    const preflight = JSON.parse((await cli(['preflight', '--json', '--backup-dir', dir], pooledWithDirect())).stdout);
    expect(preflight.checks.find((c: { id: string }) => c.id === 'session')).toMatchObject({ status: 'ok', message: expect.stringContaining('DIRECT_URL') });
  });

  it('with DIRECT_URL: backup and restore run on it', async () => {
    const backup = await cli(['backup', '--dir', dir, '--json'], pooledWithDirect());
    expect(backup.code, backup.stderr).toBe(0);
    const manifest = JSON.parse(backup.stdout).manifestPath as string;
    const restored = await cli(['restore', manifest, '--yes', '--json'], pooledWithDirect());
    expect(restored.code, restored.stderr).toBe(0);
    const refused = await cli(['restore', manifest, '--yes'], pooledOnly());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('DIRECT_URL');
    await waitFor('no advisory lock', async () => (await advisoryLocks()) === 0, 5000);
  });
});
