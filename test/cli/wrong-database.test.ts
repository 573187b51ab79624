/**
 * Every command that reads the API's tables, pointed at (a) an empty database and (b) the
 * API's database with `?schema=nosuch`: a clear message and a documented exit code, never
 * "Internal error" or a stack trace, and nothing changed (tables and schemas the same after).
 * `migrate apply` runs as --dry-run: on an empty database it creates everything, as Prisma does.
 * `verify` asks a healthy API (on the API's database) and checks the wrong one in its test 1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { backupDatabase } from '../../src/runbook/backup/backup.js';
import { plainTarget } from '../../src/shared/database-target.js';
import { ExitCode } from '../../src/shared/exit-codes.js';
import { silentReporter } from '../../src/shared/reporter.js';
import { runCli } from '../helpers/run-cli.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { ADMIN_URL, createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let empty: TestDatabase;
let api: TestDatabase;
let other: TestDatabase;
let dir: string;
let manifest: string;
let app: RunningApp;
let baseline: string;
const before = new Map<TestDatabase, string[]>();

/** Every table and schema outside the system ones. */
const shapeOf = async (db: TestDatabase) => [
  ...(await db.pool.query<{ t: string }>(`SELECT 'table ' || table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`)).rows.map((r) => r.t),
  ...(await db.pool.query<{ t: string }>(`SELECT 'schema ' || nspname AS t FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`)).rows.map((r) => r.t),
].sort();

beforeAll(async () => {
  [empty, api, other, dir] = await Promise.all([createTestDatabase('none'), createTestDatabase('all'), createTestDatabase('baseline'), mkdtemp(join(tmpdir(), 'tierctl-wrong-db-'))]);
  baseline = (await loadMigrations()).filter((m) => m.name < TIER_MIGRATION).at(-1)!.name;
  const backup = await backupDatabase({ database: plainTarget(other.url), dir }, { reporter: silentReporter });
  if (!backup.ok) throw new Error(backup.failure.message);
  manifest = backup.value.manifestPath;
  app = await startApp(other);
  for (const db of [empty, api]) before.set(db, await shapeOf(db));
}, 60_000);
afterAll(async () => {
  await app?.close();
  await Promise.all([empty?.drop(), api?.drop(), other?.drop(), rm(dir, { recursive: true, force: true })]);
});

const targets = [
  { label: 'an empty database', db: () => empty, url: () => empty.url, schema: 'public' },
  { label: '?schema=nosuch', db: () => api, url: () => `${api.url}?schema=nosuch`, schema: 'nosuch' },
] as const;

/** [command, expected exit code, what the message says]. */
const commands: readonly (readonly [string, (t: (typeof targets)[number]) => string[], number, RegExp])[] = [
  ['preflight', () => ['preflight', '--backup-dir', dir], 1, /has no .*models.*: not the API's database/],
  ['backup', () => ['backup', '--dir', dir], 0, /No models table: the models CSV \(guide step 5\) was not written/],
  ['restore', () => ['restore', manifest, '--yes'], 4, /is a backup of database .* not of/],
  ['migrate status', () => ['migrate', 'status'], 1, /pending/],
  ['migrate apply --dry-run', () => ['migrate', 'apply', '--dry-run'], 0, /20251101000000_baseline/],
  ['migrate rollback', () => ['migrate', 'rollback', '--yes'], 2, /has no .*models.*: not the API's database/],
  ['migrate baseline', () => ['migrate', 'baseline', '--yes'], 4, /is not what the migrations up to/],
  ['migrate resolve --applied', () => ['migrate', 'resolve', '--applied', baseline, '--yes'], 2, /has no .*models.*: not the API's database/],
  ['seed', () => ['seed', '--yes'], 2, /has no .*models.*: not the API's database/],
  ['seed --catalog', () => ['seed', '--catalog', '--yes'], 2, /has no .*models.*: not the API's database/],
  ['users create', () => ['users', 'create'], 2, /has no .*users, .*subscriptions: not the API's database/],
  ['users create --remove', () => ['users', 'create', '--remove', '--yes'], 2, /has no .*users, .*subscriptions: not the API's database/],
  ['verify', () => ['verify', '--api-url', app.url, '--only', '1'], 1, /has no .*models.*: not the API's database/],
  ['deploy', (t) => ['deploy', '--api-url', 'http://127.0.0.1:1', '--backup-dir', dir, '--evidence-dir', dir, '--journal', join(dir, `journal-${t.schema}.json`), '--seed', '--yes'], 1, /Preflight found \d blocker\(s\): nothing was changed\.[^]*has no .*models.*: not the API's database/],
  ['rollback', () => ['rollback', '--yes', '--accept-loss'], 2, /has no .*models.*: not the API's database/],
  ['rehearse --from-database', (t) => ['rehearse', '--from-database', t.url(), '--sandbox-url', ADMIN_URL], 2, /has no .*models.*: not the API's database/],
  ['monitor', () => ['monitor', '--once'], 5, /has no table .*api_logs: not the API's database/],
  ['access explain', () => ['access', 'explain', '--user', 'free@example.com', '--model', 'gpt-5'], 2, /has no .*models.*: not the API's database/],
  ['serve', () => ['serve', '--port', '0'], 2, /has no .*models.*: not the API's database/],
];

describe.concurrent("every command on a database without the API's tables", { timeout: 60_000 }, () => {
  for (const [name, args, code, says] of commands) {
    it(`${name}: exit ${code}, a clear message, no internal error`, async () => {
      await Promise.all(targets.map(async (t) => {
        const r = await runCli(args(t), { env: { DATABASE_URL: t.url(), JWT_SECRET: 'a-test-secret-of-at-least-32-bytes-long' }, timeoutMs: 50_000 });
        const out = r.stdout + r.stderr;
        expect((Object.values(ExitCode) as number[]).includes(r.code!), `${name} on ${t.label}: exit ${r.code}`).toBe(true);
        expect(r.code, `${name} on ${t.label}:\n${out}`).toBe(code);
        expect(out, `${name} on ${t.label}`).toMatch(says);
        expect(out, `${name} on ${t.label}`).not.toMatch(/Internal error|^\s+at \S+ \(|^\s+at .*:\d+:\d+$/m);
      }));
    });
  }
});

describe('afterwards', () => {
  it('neither database changed: the same tables and schemas', async () => {
    for (const t of targets) expect(await shapeOf(t.db()), t.label).toEqual(before.get(t.db()));
  });
});
