/**
 * One operator journey on one PostgreSQL major, with the built CLI against a database that
 * lives across the steps: preflight, backup (or its refusal), a reader that makes the
 * migration give up, migrate status/apply, seed, test users, `tierctl serve` with the eight
 * checks and a subscription change, rollback, re-apply, and the restore round trip. Each
 * `test/matrix/pgNN.test.ts` runs it for one major (15 on the local server); one file per
 * major, so at most two servers run at once (the suite's two workers).
 *
 * The local `pg_dump` (15) can dump 13, 14 and 15; on 16 and 17 preflight must block and
 * backup refuse, both naming the way out (`--pg-dump PATH`).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src/db/migrations/migration-files.js';
import { getJson, loginToken } from '../helpers/api-client.js';
import { engineMigrationList, NO_FILTERS, startSchemaEngine } from '../helpers/prisma-schema-engine.js';
import { startLockSampler, type LockReport } from '../helpers/lock-sampler.js';
import { runCli } from '../helpers/run-cli.js';
import { startServe } from '../helpers/serve-process.js';
import { TEST_JWT_SECRET } from '../helpers/server.js';
import { tableChecksums } from '../helpers/table-checksums.js';
import { databaseUrl } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';
import type { EmbeddedMajor } from './embedded-postgres.js';
import { useMatrixDatabase } from './matrix-database.js';

/** The major of the `pg_dump` on PATH (the local server's client programs). */
const LOCAL_PG_DUMP_MAJOR = 15;

type Checks = { id: string; status: string; message: string; hint?: string }[];

export function versionJourney(major: EmbeddedMajor | 15): void {
  const matrix = useMatrixDatabase(major);
  const url = () => matrix().db.url;
  const sql = (text: string, values: unknown[] = []) => matrix().db.pool.query(text, values);
  const cli = (...args: string[]) => runCli([...args, '--database-url', url()]);
  const tierColumns = async () =>
    (await sql(`SELECT column_name FROM information_schema.columns WHERE table_name = 'models' AND column_name IN ('required_tier', 'tier_restriction_mode', 'allowed_tiers') ORDER BY 1`)).rows.map((r) => r.column_name);
  const ledger = async () => (await sql(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY 1`)).rows.map((r) => r.migration_name);
  const dumpable = major <= LOCAL_PG_DUMP_MAJOR;
  /** Prisma's own schema engine (the judge of the ledger, see test/db/prisma-judge.test.ts) on this server. */
  const prismaDiagnosis = async () => {
    const engine = await startSchemaEngine(url());
    try {
      return await engine.diagnoseMigrationHistory({ migrationsList: await engineMigrationList(), optInToShadowDatabase: false, filters: NO_FILTERS });
    } finally {
      engine.free();
    }
  };
  let dir: string;
  let manifest: string;
  let atBackup: Record<string, { rows: number; md5: string }>;
  let baselineLedger: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `tierctl-matrix-${major}-`));
    baselineLedger = await ledger();
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // Each step runs several CLI processes; on a busy 2-core machine that can take a while.
  describe.sequential(`PostgreSQL ${major}`, { timeout: 120_000 }, () => {
    it(`runs PostgreSQL ${major}`, async () => {
      expect(matrix().server.major).toBe(major);
      expect((await sql(`SELECT current_setting('server_version_num')::int / 10000 AS major`)).rows[0].major).toBe(major);
    });

    it(dumpable ? 'preflight: ready, the local pg_dump can dump this server' : 'preflight: blocks on the pg_dump older than the server, naming --pg-dump PATH', async () => {
      const r = await cli('preflight', '--backup-dir', dir, '--json');
      const checks = JSON.parse(r.stdout).checks as Checks;
      expect(checks.find((c) => c.id === 'server-version')!.message).toBe(`PostgreSQL ${matrix().server.version}`);
      const blockers = checks.filter((c) => c.status === 'blocker');
      if (dumpable) {
        expect(blockers).toEqual([]);
        expect(r.code).toBe(0);
        return;
      }
      expect(r.code).toBe(1);
      expect(blockers.map((c) => c.id)).toEqual(['pg-dump']);
      expect(blockers[0]!.message).toMatch(new RegExp(`^pg_dump 15\\.\\d+ cannot dump a PostgreSQL ${matrix().server.version} server \\(needs major version >= ${major}\\)$`));
      expect(blockers[0]!.hint).toContain('--pg-dump PATH');
      expect(blockers[0]!.hint).toContain(`postgresql-client-${major}`);
    });

    it(dumpable ? 'backup: dump, CSV and manifest, verified' : 'backup: refuses with exit 2 before writing anything, naming --pg-dump PATH', async () => {
      const before = await tableChecksums(url());
      const r = await cli('backup', '--dir', dir, '--json');
      if (!dumpable) {
        expect(r.code).toBe(2);
        const { error } = JSON.parse(r.stdout);
        expect(error).toMatchObject({ code: 'pg_tool_too_old', exitCode: 2, message: expect.stringContaining(`cannot dump a PostgreSQL ${matrix().server.version} server (needs major version >= ${major})`) });
        expect(error.hint).toContain('--pg-dump PATH');
        expect(await readdir(dir)).toEqual([]);
        return;
      }
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.manifest.serverVersion).toBe(matrix().server.version);
      manifest = out.manifestPath;
      atBackup = before;
      expect((await runCli(['backup', 'verify', manifest])).code).toBe(0);
    });

    it('a session reading models: preflight names it, apply waits for it, gives up naming it, changes nothing', async () => {
      const sampler = await startLockSampler(url(), { probe: false });
      const reader = new pg.Client({ connectionString: url(), application_name: 'matrix-reader' });
      let pid = 0;
      let report: Promise<LockReport> | undefined;
      try {
        await reader.connect();
        pid = (await reader.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
        await reader.query('BEGIN');
        await reader.query('SELECT count(*) FROM models');
        const pf = await cli('preflight', '--backup-dir', dir, '--long-transaction', '0', '--json');
        const checks = JSON.parse(pf.stdout).checks as Checks;
        expect(checks.find((c) => c.id === 'models-locks')).toMatchObject({ status: 'blocker', message: expect.stringContaining(`pid ${pid} (matrix-reader) holds AccessShareLock`) });
        expect(checks.find((c) => c.id === 'long-transactions')).toMatchObject({ status: 'warn' });
        const apply = await cli('migrate', 'apply', '--lock-timeout', '300ms', '--retries', '0');
        expect(apply.code).toBe(1);
        expect(apply.stderr).toMatch(new RegExp(`pid ${pid} \\(matrix-reader, user postgres, idle in transaction, [\\d.]+s, holds AccessShareLock on models\\): SELECT count\\(\\*\\) FROM models`));
      } finally {
        report = sampler.stop();
        await reader.end();
      }
      // The lock sampler saw the migration wait (PG 14+: from pg_locks.waitstart; 13: from the first sample that saw it waiting).
      const waited = (await report!).windows.filter((w) => w.app === 'tierctl migrate apply');
      expect(waited).toHaveLength(1);
      expect(waited[0]!.waitedMs).toBeGreaterThan(0);
      expect(await tierColumns()).toEqual([]);
      expect(await ledger()).toEqual(baselineLedger);
    });

    it("migrate status, apply, status: the tier schema, the ledger as Prisma keeps it (Prisma's engine agrees)", async () => {
      expect((await cli('migrate', 'status')).code).toBe(1);
      const apply = await cli('migrate', 'apply', '--json');
      expect(apply.code).toBe(0);
      expect(JSON.parse(apply.stdout).tierSchema).toMatchObject({ ok: true });
      expect((await cli('migrate', 'status')).code).toBe(0);
      expect(await tierColumns()).toEqual(['allowed_tiers', 'required_tier', 'tier_restriction_mode']);
      expect(await ledger()).toEqual((await loadMigrations()).map((m) => m.name));
      expect(await prismaDiagnosis()).toEqual({ editedMigrationNames: [], failedMigrationNames: [], hasMigrationsTable: true, history: null });
    });

    it('seed and test users', async () => {
      const seed = await cli('seed', '--yes');
      expect(seed.code).toBe(0);
      expect(seed.stdout).toMatch(/Created\/updated \d models/);
      expect((await sql(`SELECT required_tier::text AS tier FROM models WHERE id = 'gpt-5'`)).rows[0].tier).toBe('enterprise');
      expect((await cli('users', 'create', '--yes')).code).toBe(0);
      expect((await sql(`SELECT count(*)::int AS n FROM users`)).rows[0].n).toBe(3);
    });

    it('serve: the eight checks pass, a subscription change reaches the running server', async () => {
      const serve = await startServe({ DATABASE_URL: url(), JWT_SECRET: TEST_JWT_SECRET });
      try {
        // A generous --timeout: four servers and the suite share two cores.
        const verify = await runCli(['verify', '--api-url', serve.url, '--database-url', url(), '--json', '--timeout', '30s']);
        expect(JSON.parse(verify.stdout).counts, verify.stdout).toEqual({ pass: 8, fail: 0, skipped: 0 });
        expect(verify.code).toBe(0);
        const token = await loginToken(serve.url, 'free@example.com');
        expect((await getJson(serve.url, '/v1/models', token)).body.user_tier).toBe('free');
        await sql(`UPDATE subscriptions SET tier = 'pro' WHERE user_id = (SELECT id FROM users WHERE email = 'free@example.com')`);
        await waitFor('the upgrade to reach the server', async () => (await getJson(serve.url, '/v1/models', token)).body.user_tier === 'pro', 5000);
        await sql(`UPDATE subscriptions SET tier = 'free' WHERE user_id = (SELECT id FROM users WHERE email = 'free@example.com')`);
      } finally {
        expect(await serve.stop()).toBe(0);
      }
    });

    it('rollback: refused without --accept-loss (exit 4), then removes exactly the tier schema; Prisma sees those migrations unapplied', async () => {
      const rows = async () => (await sql(`SELECT (SELECT count(*) FROM models)::int AS models, (SELECT count(*) FROM users)::int AS users`)).rows[0];
      const before = await rows();
      const refused = await cli('migrate', 'rollback', '--yes');
      expect(refused.code).toBe(4);
      expect(await tierColumns()).toHaveLength(3);
      const r = await cli('migrate', 'rollback', '--accept-loss', '--yes');
      expect(r.code).toBe(0);
      expect(await tierColumns()).toEqual([]);
      expect(await ledger()).toEqual(baselineLedger);
      expect(await rows()).toEqual(before);
      const rolledBack = (await loadMigrations()).map((m) => m.name).filter((name) => !baselineLedger.includes(name));
      expect((await prismaDiagnosis()).history).toEqual({ diagnostic: 'databaseIsBehind', unappliedMigrationNames: rolledBack });
    });

    it('re-apply and seed again', async () => {
      expect((await cli('migrate', 'apply')).code).toBe(0);
      expect((await cli('seed', '--yes')).code).toBe(0);
      expect((await cli('migrate', 'status')).code).toBe(0);
      expect(await tierColumns()).toHaveLength(3);
    });

    it.runIf(dumpable)('restore: into a new database and in place, the data as it was at the backup', async () => {
      const copy = await cli('restore', manifest, '--to-database', matrix().spareName);
      expect(copy.code).toBe(0);
      const copyUrl = databaseUrl(matrix().spareName, url());
      expect(await tableChecksums(copyUrl)).toEqual(atBackup);
      const inPlace = await cli('restore', manifest, '--yes');
      expect(inPlace.code, inPlace.stderr).toBe(0);
      const now = await tableChecksums(url());
      expect(Object.fromEntries(Object.keys(atBackup).map((t) => [t, now[t]]))).toEqual(atBackup);
      expect(await tierColumns()).toEqual([]);
      expect((await cli('migrate', 'status')).code).toBe(1);
    });

    // The local server's rehearse is test/runbook/rehearse-command.test.ts.
    it.skipIf(major === 15)(
      dumpable ? 'rehearse --admin-url: the whole runbook and the rollback drill on a sandbox of this server' : 'rehearse --admin-url: the deploy stops at preflight (pg_dump), nothing changed',
      async () => {
        const r = await runCli(['rehearse', '--admin-url', matrix().server.adminUrl, '--json'], { timeoutMs: 120_000 });
        const report = JSON.parse(r.stdout);
        const outcomes = (phases: { id: string; outcome: string }[]) => phases.map((p) => `${p.id}:${p.outcome}`);
        if (dumpable) {
          expect(r.code, r.stderr).toBe(0);
          expect(outcomes(report.phases)).toEqual(['sandbox:ok', 'backend:ok', 'deploy:ok', 'rollback-drill:ok', 'reapply:ok', 'checks-again:ok']);
        } else {
          expect(r.code).toBe(1);
          expect(outcomes(report.phases)).toEqual(['sandbox:ok', 'backend:ok', 'deploy:failed']);
          expect(outcomes(report.deploy.phases)).toEqual(['preflight:failed']);
          expect(report.deploy.failure.message).toContain(`cannot dump a PostgreSQL ${matrix().server.version} server`);
        }
        expect(report.leftovers).toEqual([]);
        expect(await matrix().server.databases('tierctl_rehearse_')).toEqual([]);
      },
    );
  });
}
