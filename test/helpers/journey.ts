/**
 * Operator journeys (test/journeys): one database that lives across steps, the built CLI
 * run as an operator runs it, and what the database holds read before and after each
 * step. A journey asserts on contents (tier values, columns, ledger, users), not only on
 * exit codes.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { loadMigrations, TIER_MIGRATION } from '../../src/db/migrations/migration-files.js';
import { loadTierAssignments } from '../../src/fixtures/load-fixtures.js';
import { unwrap } from '../../src/shared/failure.js';
import { writeLedgerUpTo } from './ledger-rows.js';
import { runCli, type CliRun } from './run-cli.js';
import { seedSandbox } from './sandbox.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface Journey {
  readonly db: TestDatabase;
  /** A private directory for backups, journals and evidence, removed at the end. */
  readonly dir: string;
  /** Runs `tierctl ARGS` with DATABASE_URL set (plus `env`), no TTY, as CI would. */
  tierctl(args: readonly string[], env?: Record<string, string>): Promise<CliRun>;
  /** Runs plain SQL on the database, as an operator with psql would. */
  sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

/** Where the journey's database starts: the guide's starting point (baseline, catalog, no tier), or already deployed without tierctl (migrations by Prisma, assignments by plain SQL). */
export type JourneyStart = 'baseline' | 'deployed';

/**
 * A database at the guide's starting point (ledger up to the baseline as Prisma would
 * leave it, the sandbox catalog, no users) or, `deployed`, with every migration applied as
 * `prisma migrate deploy` leaves it (no tierctl record) and the guide's tier assignments
 * set by plain SQL (updated_at untouched, as an operator's UPDATE leaves it). Lives as
 * long as the test file.
 */
export function useJourney(start: JourneyStart = 'baseline'): () => Journey {
  let journey: Journey | undefined;
  beforeAll(async () => {
    const db = await createTestDatabase(start === 'baseline' ? 'baseline' : 'all');
    const migrations = await loadMigrations();
    const last = start === 'baseline' ? migrations.filter((m) => m.name < TIER_MIGRATION).at(-1)!.name : migrations.at(-1)!.name;
    await writeLedgerUpTo(db, last);
    await seedSandbox(db, { assignments: false, users: false });
    if (start === 'deployed') {
      for (const [id, a] of Object.entries(unwrap(await loadTierAssignments()))) {
        await db.pool.query(`UPDATE models SET required_tier = $2, tier_restriction_mode = $3, allowed_tiers = $4 WHERE id = $1`, [id, a.requiredTier, a.tierRestrictionMode, a.allowedTiers]);
      }
    }
    const dir = await mkdtemp(join(tmpdir(), 'tierctl-journey-'));
    journey = {
      db,
      dir,
      tierctl: (args, env = {}) => runCli(args, { env: { DATABASE_URL: db.url, ...env }, cwd: dir }),
      sql: async (text, params) => (await db.pool.query(text, params)).rows,
    };
  });
  afterAll(async () => {
    if (!journey) return;
    await rm(journey.dir, { recursive: true, force: true });
    await journey.db.drop();
  });
  return () => {
    if (!journey) throw new Error('journey not started yet (use it inside a test or hook)');
    return journey;
  };
}

export interface TierValues {
  readonly requiredTier: string;
  readonly mode: string;
  readonly allowed: string[];
}

/** Every model's tier values by id; null when the tier columns are not there. */
export async function tierValues(j: Journey): Promise<Record<string, TierValues> | null> {
  if ((await tierColumnNames(j)).length < 3) return null;
  const rows = await j.sql(`SELECT id, required_tier::text AS r, tier_restriction_mode AS m, allowed_tiers::text[] AS a FROM models ORDER BY id`);
  return Object.fromEntries(rows.map((r) => [r.id as string, { requiredTier: r.r as string, mode: r.m as string, allowed: r.a as string[] }]));
}

/** The tier columns `models` has now. */
export async function tierColumnNames(j: Journey): Promise<string[]> {
  const rows = await j.sql(
    `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'models'
      AND column_name IN ('required_tier', 'tier_restriction_mode', 'allowed_tiers') ORDER BY 1`,
  );
  return rows.map((r) => r.c as string);
}

/** The migrations `_prisma_migrations` records as applied, in order. */
export async function appliedMigrations(j: Journey): Promise<string[]> {
  const rows = await j.sql(`SELECT migration_name AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY 1`);
  return rows.map((r) => r.n as string);
}

/** The tables of the public schema. */
export async function tableNames(j: Journey): Promise<string[]> {
  const rows = await j.sql(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  return rows.map((r) => r.t as string);
}

/** User e-mails, in order. */
export async function userEmails(j: Journey): Promise<string[]> {
  return (await j.sql(`SELECT email FROM users ORDER BY email`)).map((r) => r.email as string);
}

/** The CLI's --json output, or a readable error when it printed something else. */
export function jsonOf<T = Record<string, unknown>>(r: CliRun): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  }
}

/** `tierctl backup` into a new folder `name` of the journey's directory; returns the manifest's path (throws on a failed backup). */
export async function backupInto(j: Journey, name: string, env?: Record<string, string>): Promise<string> {
  const dir = join(j.dir, name);
  await mkdir(dir);
  const r = await j.tierctl(['backup', '--dir', dir], env);
  if (r.code !== 0) throw new Error(`tierctl backup exited ${r.code}: ${r.stderr}`);
  return join(dir, (await readdir(dir)).find((f) => f.endsWith('.manifest.json'))!);
}
