import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { writeLedgerUpTo } from '../helpers/ledger-rows.js';
import { runCli, runCliInterrupted, type CliRun } from '../helpers/run-cli.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('baseline');
let app: RunningApp;
let dir: string;

const tierColumns = async () =>
  (await db().pool.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'models' AND column_name IN ('required_tier','tier_restriction_mode','allowed_tiers')`)).rowCount;

beforeAll(async () => {
  const baseline = (await loadMigrations()).filter((m) => m.name < TIER_MIGRATION).at(-1)!.name;
  await writeLedgerUpTo(db(), baseline);
  await seedSandbox(db(), { assignments: false, users: false });
  app = await startApp(db(), { cache: { schemaRecheckMs: 100 } });
});
afterAll(async () => {
  await app?.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierctl-deploy-'));
  return () => rm(dir, { recursive: true, force: true });
});

const args = (apiUrl: string, ...more: string[]) => ['deploy', '--api-url', apiUrl, '--backup-dir', dir, '--journal', join(dir, 'journal.json'), '--seed', '--test-users', '--wait', '10', ...more];
const deploy = (apiUrl: string, ...more: string[]): Promise<CliRun> => runCli(args(apiUrl, ...more), { env: { DATABASE_URL: db().url } });
/** Every model's pre-tier columns (seeding touched updated_at; nothing else may change). */
const oldColumns = async () =>
  (await db().pool.query(`SELECT id, name, display_name, provider, description, capabilities, context_length, credits_per_1k_tokens, is_available, created_at FROM models ORDER BY id`)).rows;
const phases = (json: { phases: { id: string; outcome: string }[] }) => json.phases.map((p) => `${p.id}:${p.outcome}`);

describe('tierctl deploy', () => {
  it('stops at a migration that cannot get its lock: nothing changed, the database and service state said, evidence written', async () => {
    // The "stop" hook leaves an old session behind that holds a lock on models (a backend that did not really stop).
    // The hook returns once the lock is held (polling pg_locks), however long psql takes to start.
    const held = `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'deploy-test-holder' AND l.relation = 'models'::regclass AND l.granted`;
    const holder = `(PGAPPNAME=deploy-test-holder psql '${db().url}' -qc "BEGIN; LOCK TABLE models IN ACCESS SHARE MODE; SELECT pg_sleep(60); COMMIT" >/dev/null 2>&1 &) ; until psql '${db().url}' -Atc "${held}" | grep -q 1; do sleep 0.1; done`;
    const r = await deploy(app.url, '--stop-cmd', holder, '--start-cmd', 'true', '--lock-timeout', '100ms', '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.outcome).toBe('failed');
    expect(phases(report)).toEqual(['preflight:ok', 'backup:ok', 'stop:ok', 'migrate:failed', 'restart:ok']);
    expect(report.failure.message).toMatch(/lock/i);
    expect(report.state).toMatchObject({ database: expect.stringMatching(/^unchanged/), service: expect.stringMatching(/started again by --start-cmd on the unchanged schema/) });
    expect(JSON.parse(await readFile(report.evidence.json, 'utf8'))).toMatchObject({ outcome: 'failed', backupManifest: { format: 'tierctl-backup/1' } });
    expect(await tierColumns()).toBe(0);
    await db().pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'deploy-test-holder'`);
    // It changed nothing and started the service again: its journal blocks no new deployment, and
    // there is nothing to resume (a resume would skip the stop hook that the restart undid).
    expect(JSON.parse(await readFile(join(dir, 'journal.json'), 'utf8')).state).toBe('failed_unchanged');
    const resume = await deploy(app.url, '--resume');
    expect(resume.code).toBe(2);
    expect(resume.stderr).toMatch(/failed without changing anything/);
    await rm(join(dir, 'journal.json'));
  });

  it('rolls back by itself when a check fails after the migration: back at the baseline, data intact', async () => {
    const before = await oldColumns();
    // The target answers the pro user's chat with an empty message: test 5 fails after the migration.
    const proxy = await startFaultProxy(app.url, (req, res) => {
      if (req.path === '/v1/chat/completions' && res.status === 200) (res.json as { choices: { message: { content: string } }[] }).choices[0]!.message.content = '';
    });
    try {
      const r = await deploy(proxy.url, '--json');
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout);
      expect(report.outcome).toBe('rolled_back');
      expect(phases(report)).toEqual([
        'preflight:ok', 'backup:ok', 'stop:skipped', 'migrate:ok', 'migration-verified:ok', 'seed:ok', 'test-users:ok', 'start:skipped', 'health:ok', 'verify:failed', 'auto-rollback:ok',
      ]);
      expect(report.failure.message).toMatch(/5 Pro User - Access Pro Model/);
      expect(report.state.database).toMatch(/back at 20251101000000_baseline: rolled back .*, the migrations this run applied, and verified/);
      const evidence = JSON.parse(await readFile(report.evidence.json, 'utf8'));
      expect(evidence.verify.checks.find((c: { id: number }) => c.id === 5).result).toBe('fail');
      expect(evidence.ledgerAfter.find((m: { name: string }) => m.name === TIER_MIGRATION).state).not.toBe('applied');
      expect(await readFile(report.evidence.junit, 'utf8')).toMatch(/<testcase name="Test 5: Pro User - Access Pro Model" classname="tierctl.verify" time="[\d.]+">\s*<failure/);
    } finally {
      await proxy.close();
    }
    expect(await tierColumns()).toBe(0);
    expect(await oldColumns()).toEqual(before);
    expect((await db().pool.query(`SELECT migration_name FROM _prisma_migrations ORDER BY 1`)).rows.map((r) => r.migration_name)).not.toContain(TIER_MIGRATION);
  });

  it('interrupted by Ctrl-C (exit 130), refuses a new deployment over it, then --resume finishes it', async () => {
    const marker = join(dir, 'started');
    const { code, stderr } = await runCliInterrupted(args(app.url, '--start-cmd', 'sleep 20'), /… Start the backend/, { env: { DATABASE_URL: db().url } });
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/Interrupted/);
    const journal = JSON.parse(await readFile(join(dir, 'journal.json'), 'utf8'));
    expect(journal.state).toBe('interrupted');
    expect(await tierColumns()).toBe(3);

    const again = await deploy(app.url);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/unfinished deployment/);

    const resumed = await deploy(app.url, '--resume', '--start-cmd', `touch ${marker}`, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout);
    expect(report.outcome).toBe('succeeded');
    const from = (id: string) => report.phases.find((p: { id: string }) => p.id === id);
    expect(from('migrate')).toMatchObject({ outcome: 'ok', fromEarlierRun: true });
    expect(from('backup')).toMatchObject({ outcome: 'ok', fromEarlierRun: true });
    expect(from('start')).toMatchObject({ outcome: 'ok' });
    expect(from('start').fromEarlierRun).toBeUndefined();
    expect(from('verify')).toMatchObject({ outcome: 'ok', detail: '8/8 checks passed' });
    await readFile(marker);
    expect((await deploy(app.url, '--resume')).code).toBe(2);
  });
});
