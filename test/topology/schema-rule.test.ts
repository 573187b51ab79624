/**
 * One schema rule everywhere: `?schema=tiers` decides every query of every command and of
 * the server. The database also holds a decoy schema named like the role (`postgres`), so
 * that `search_path` ("$user", public) and `current_schema()` point at the decoy: its
 * gpt-5 is open to every tier and its test users have another password. Anything that
 * relied on `search_path` would read or write the decoy; the journey checks, command after
 * command, that the tiers schema alone changes and the decoy (and public) stay untouched.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, loginToken, postJson } from '../helpers/api-client.js';
import { runCli } from '../helpers/run-cli.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { TEST_JWT_SECRET } from '../helpers/server.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { tableChecksums } from '../helpers/table-checksums.js';
import { adminQuery, createTestDatabase, databaseUrl, runMigrationSql, type TestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const DECOY = 'postgres'; // the role the tests connect as
let db: TestDatabase;
let url: string;
let dir: string;
let serve: ServeProcess | undefined;
let decoyBefore: Record<string, unknown>;
let manifest: string;
const restoredName = () => `${db.name}_restored`;

const decoyTables = async () => Object.fromEntries(Object.entries(await tableChecksums(db.url)).filter(([t]) => t.startsWith(`${DECOY}.`)));
const tablesOf = async (schema: string) =>
  (await db.pool.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = $1 ORDER BY 1`, [schema])).rows.map((r) => r.t);
const tierOf = async (schema: string, id: string) =>
  (await db.pool.query<{ tier: string }>(`SELECT required_tier::text AS tier FROM ${schema}.models WHERE id = $1`, [id])).rows[0]?.tier;
const hasTierColumns = async (schema: string) =>
  (await db.pool.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'models' AND column_name = 'required_tier'`, [schema])).rowCount === 1;

const cli = async (args: string[], extra: Record<string, string> = {}) => {
  const r = await runCli(args, { env: { DATABASE_URL: url, ...extra }, timeoutMs: 120_000 });
  expect(r.stderr, `tierctl ${args.join(' ')}`).not.toMatch(/internal error|\n\s+at /);
  return r;
};
const json = (r: { stdout: string }) => JSON.parse(r.stdout);

beforeAll(async () => {
  db = await createTestDatabase('none');
  url = `${db.url}?schema=tiers`;
  dir = await mkdtemp(join(tmpdir(), 'tierctl-schema-rule-'));
  const client = await db.pool.connect();
  try {
    await client.query(`CREATE SCHEMA ${DECOY}; SET search_path TO ${DECOY}`);
    await runMigrationSql(client, 'all');
    await client.query('RESET search_path');
  } finally {
    client.release();
  }
  await seedSandbox(db, { schema: DECOY, assignments: false, password: 'decoy-password-1' });
  expect((await db.pool.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s).toBe(DECOY);
  decoyBefore = await decoyTables();
});
afterAll(async () => {
  await serve?.stop();
  await adminQuery(`DROP DATABASE IF EXISTS "${restoredName()}" WITH (FORCE)`);
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('?schema= decides every query (a decoy schema named like the role)', () => {
  it('migrate apply, seed --catalog, users create, status, preflight, access explain, backup: all in tiers', async () => {
    expect((await cli(['migrate', 'apply'])).code).toBe(0);
    expect(await tablesOf('tiers')).toEqual(expect.arrayContaining(['_prisma_migrations', 'api_logs', 'models', 'subscriptions', 'users']));
    const seeded = await cli(['seed', '--catalog', '--yes', '--json']);
    expect(seeded.code, seeded.stdout).toBe(0);
    expect(await tierOf('tiers', 'gpt-5')).toBe('enterprise');
    expect((await cli(['users', 'create', '--yes'])).code).toBe(0);
    expect((await db.pool.query(`SELECT 1 FROM tiers.users`)).rowCount).toBe(3);

    expect(json(await cli(['migrate', 'status', '--json']))).toMatchObject({ schema: 'tiers', upToDate: true });
    const preflight = await cli(['preflight', '--json', '--backup-dir', dir]);
    expect(json(preflight).checks.find((c: { id: string }) => c.id === 'model-count')).toMatchObject({ status: 'ok', message: '4 models' });
    const explained = json(await cli(['access', 'explain', '--user', 'free@example.com', '--model', 'gpt-5', '--json']));
    expect(explained).toMatchObject({ outcome: { kind: 'denied', status: 403 } });

    const backup = await cli(['backup', '--dir', dir, '--json']);
    expect(backup.code, backup.stdout).toBe(0);
    expect(json(backup).manifest).toMatchObject({ tierSchema: 'present', modelCount: 4, ledger: { present: true } });
    manifest = json(backup).manifestPath;
  });

  it('serve, verify, monitor: the server reads policies and users from tiers and logs there', async () => {
    serve = await startServe({ DATABASE_URL: url, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'info' });
    const token = await loginToken(serve.url, 'free@example.com');
    expect((await postJson(serve.url, '/v1/chat/completions', chat('gpt-5'), token)).status).toBe(403);
    expect((await postJson(serve.url, '/v1/auth/login', { email: 'free@example.com', password: 'decoy-password-1' })).status).toBe(401);

    const verified = await cli(['verify', '--api-url', serve.url, '--json']);
    expect(json(verified), verified.stdout).toMatchObject({ passed: true, counts: { pass: 8 } });
    await waitFor('api_logs rows in tiers', async () => ((await db.pool.query(`SELECT 1 FROM tiers.api_logs WHERE status_code = 403`)).rowCount ?? 0) > 0);
    const monitor = json(await cli(['monitor', '--once', '--json']));
    expect(monitor.alerts.find((a: { source: string | null; value: number | null }) => a.source === 'api_logs')?.value).toBeGreaterThan(0);
  });

  it('rollback (the procedure) and deploy work on tiers; restore --to-database brings tiers back', async () => {
    const rolledBack = await cli(['rollback', '--api-url', serve!.url, '--backup', manifest, '--yes', '--json']);
    expect(rolledBack.code, rolledBack.stdout).toBe(0);
    expect(await hasTierColumns('tiers')).toBe(false);

    const deployed = await cli(['deploy', '--api-url', serve!.url, '--backup-dir', dir, '--journal', join(dir, 'journal.json'), '--seed', '--test-users', '--yes', '--json']);
    expect(deployed.code, deployed.stdout).toBe(0);
    expect(await tierOf('tiers', 'gpt-5')).toBe('enterprise');
    expect((await readdir(dir)).filter((f) => f.endsWith('.manifest.json')).length).toBe(2);

    const restored = await cli(['restore', manifest, '--to-database', restoredName(), '--yes', '--json']);
    expect(restored.code, restored.stdout).toBe(0);
    const copy = await tableChecksums(databaseUrl(restoredName()));
    expect(copy['tiers.models']?.rows).toBe(4);
    expect(copy[`${DECOY}.models`]).toEqual(decoyBefore[`${DECOY}.models`]);
  });

  it('left the decoy schema and public exactly as they were', async () => {
    expect(await decoyTables()).toEqual(decoyBefore);
    expect(await tierOf(DECOY, 'gpt-5')).toBe('free');
    expect(await tablesOf('public')).toEqual([]);
  });
});
