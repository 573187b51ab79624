/**
 * kill -9 of tierctl at every step, with DATABASE_URL on a real PgBouncer in transaction
 * mode: `migrate apply` and `migrate rollback` with DIRECT_URL (killed at each progress
 * line, and at four instants before the first one: start-up and the pooler probe), and
 * `migrate apply` without it (killed during its refusal). After every kill, once the killed
 * run's sessions are gone, pg_locks holds no migration advisory lock and the ledger no
 * open row.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PRISMA_ADVISORY_LOCK_KEY } from '../../src/db/migrations/ledger.js';
import { TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { runAndKill, waitForNoCliSessions, type KilledRun } from '../helpers/kill-cli.js';
import { apply, ledgerRows, rollback } from '../helpers/migrate.js';
import { slowTierMigrations } from '../helpers/migrations-dir.js';
import { usePgBouncer } from '../helpers/pgbouncer.js';
import { runCliInterrupted } from '../helpers/run-cli.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const db = useTestDatabase('none');
const bouncer = usePgBouncer(() => db().url);
let dir: string;
let baseline: string;

beforeAll(async () => {
  dir = await slowTierMigrations(0.2);
  const files = (await apply(db(), { migrationsDir: dir })).applied.map((a) => a.name);
  baseline = files[files.indexOf(TIER_MIGRATION) - 1]!;
});

/** Every run leaves no lock once its sessions are gone (pooled ones included), and no open ledger row. */
async function nothingLeftBehind(what: string): Promise<void> {
  await waitForNoCliSessions(db().pool, db().name);
  // A pooled server connection stays, idle, with the last application_name it carried: only busy ones count.
  await waitFor(`${what}: no busy session of the killed run on the database`, async () =>
    (await db().pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'tierctl%' AND state <> 'idle'`, [db().name])).rowCount === 0,
  );
  // A backend that is still ending may hold it a moment longer; one left behind holds it for good.
  const holders = async () =>
    (await db().pool.query(
      `SELECT l.pid, a.application_name, a.state, a.query FROM pg_locks l LEFT JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.objid::bigint = $1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [PRISMA_ADVISORY_LOCK_KEY],
    )).rows;
  const start = Date.now();
  while ((await holders()).length > 0 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 50));
  expect(await holders(), `${what}: advisory lock left behind`).toEqual([]);
  expect((await ledgerRows(db())).filter((r) => r.finished_at === null && r.rolled_back_at === null), `${what}: open ledger row`).toEqual([]);
}

/** Progress lines (stderr) of one run that is not killed, and how long until the first one. */
async function stepsOf(args: string[]): Promise<{ lines: string[]; firstLineMs: number }> {
  const run = await runAndKill(args, 60_000);
  expect(run.code, run.stderr).toBe(0);
  const lines = run.stderr.split('\n').filter((l) => /^[…✔] /.test(l)).map((l) => l.replace(/ \(\d+ ms\)$|: locks held.*$|: \d+ ms.*$|after \d+ ms/, ''));
  return { lines: [...new Set(lines)], firstLineMs: run.firstLineMs ?? 500 };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Kills `args` at each step (before the first line, then at each line), resetting with `reset` before every run. */
async function killAtEveryStep(args: string[], reset: () => Promise<unknown>): Promise<Record<string, number>> {
  await reset();
  const { lines, firstLineMs } = await stepsOf(args);
  const kills: Record<string, number> = {};
  for (const fraction of [0.25, 0.5, 0.75, 0.95]) {
    await reset();
    const run: KilledRun = await runAndKill(args, firstLineMs * fraction);
    await nothingLeftBehind(`killed ${Math.round(firstLineMs * fraction)} ms after spawn`);
    const key = run.finished ? 'finished before the kill' : 'before the first progress line';
    kills[key] = (kills[key] ?? 0) + 1;
  }
  for (const line of lines) {
    await reset();
    const run = await runCliInterrupted(args, new RegExp(`^${escape(line)}`, 'm'), { signal: 'SIGKILL' });
    await nothingLeftBehind(`killed at "${line}"`);
    kills[line] = run.signal === 'SIGKILL' ? 1 : 0;
  }
  return kills;
}

describe.sequential('kill -9 at every step through PgBouncer: no advisory lock, no open ledger row', () => {
  const flags = () => ['--migrations-dir', dir, '--database-url', bouncer().url, '--direct-url', db().url];

  it('migrate apply with DIRECT_URL', { timeout: 180_000 }, async () => {
    const kills = await killAtEveryStep(['migrate', 'apply', ...flags()], () => rollback(db(), { migrationsDir: dir, to: baseline, acceptLoss: true }));
    console.info(`kill -9 of migrate apply through PgBouncer: ${JSON.stringify(kills)}`);
    expect(Object.keys(kills)).toEqual(expect.arrayContaining([expect.stringMatching(/^✔ Taking the migration advisory lock/), expect.stringMatching(/^… Applying 20251108000000/)]));
  });

  it('migrate rollback with DIRECT_URL', { timeout: 180_000 }, async () => {
    const kills = await killAtEveryStep(['migrate', 'rollback', '--yes', '--accept-loss', ...flags()], () => apply(db(), { migrationsDir: dir }));
    console.info(`kill -9 of migrate rollback through PgBouncer: ${JSON.stringify(kills)}`);
    expect(Object.keys(kills)).toEqual(expect.arrayContaining([expect.stringMatching(/^… Rolling back/)]));
  });

  it('migrate apply without DIRECT_URL: killed while it probes and refuses', { timeout: 60_000 }, async () => {
    await rollback(db(), { migrationsDir: dir, to: baseline, acceptLoss: true });
    const args = ['migrate', 'apply', '--migrations-dir', dir, '--database-url', bouncer().url];
    const whole = await runAndKill(args, 60_000);
    expect(whole.code).toBe(2);
    for (const fraction of [0.5, 0.7, 0.8, 0.9]) {
      await runAndKill(args, (whole.firstLineMs ?? 800) * fraction);
      await nothingLeftBehind(`refusal killed at ${fraction}`);
    }
    expect((await ledgerRows(db())).filter((r) => r.rolled_back_at === null).map((r) => r.migration_name).at(-1)).toBe(baseline);
  });
});
