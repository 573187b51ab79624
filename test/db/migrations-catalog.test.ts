import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, MIGRATIONS_DIR, TIER_MIGRATION, type MigrationFile } from '../../src/db/migrations/migration-files.js';
import { psqlFile } from '../helpers/psql.js';
import { catalogOf as snapshot, createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * The migrations, run with plain psql as the guide's operator would, give exactly the
 * guide's columns and indexes; the down.sql files bring the catalog back to the baseline.
 */
let migrated: TestDatabase;
let baseline: TestDatabase;
let migrations: MigrationFile[];
let tierIndex: number;
const existedBefore = (before: { columns: readonly { table: string }[] }, table: string) => before.columns.some((b) => b.table === table);

beforeAll(async () => {
  migrations = await loadMigrations();
  tierIndex = migrations.findIndex((m) => m.name === TIER_MIGRATION);
  [migrated, baseline] = await Promise.all([createTestDatabase('none'), createTestDatabase('none')]);
  for (const m of migrations) await psqlFile(migrated.url, join(MIGRATIONS_DIR, m.name, 'migration.sql'));
  for (const m of migrations.slice(0, tierIndex)) await psqlFile(baseline.url, join(MIGRATIONS_DIR, m.name, 'migration.sql'));
});

afterAll(async () => {
  await Promise.all([migrated?.drop(), baseline?.drop()]);
});

describe('the tier migration, applied with psql -v ON_ERROR_STOP=1', () => {
  it('orders the baseline before 20251108000000 and the tier migration after it', () => {
    expect(tierIndex).toBeGreaterThan(0);
    expect(migrations.slice(0, tierIndex).every((m) => m.name < '20251108000000')).toBe(true);
  });

  it('adds exactly the guide\'s three columns with their types, NOT NULL and defaults (and api_logs.request_id)', async () => {
    const after = await snapshot(migrated);
    const before = await snapshot(baseline);
    // Columns of the baseline's tables (later migrations only add tables of their own, e.g. tierctl_cache_version).
    const added = after.columns.filter((c) => existedBefore(before, c.table) && !before.columns.some((b) => b.table === c.table && b.column === c.column));
    expect(added).toEqual([
      // 20251108000300_api_logs_request_id: the request id of each api_logs row, nothing else.
      { table: 'api_logs', column: 'request_id', type: 'uuid', nullable: true, default: null },
      { table: 'models', column: 'allowed_tiers', type: 'subscription_tier[]', nullable: false, default: "ARRAY['free'::subscription_tier, 'pro'::subscription_tier, 'enterprise'::subscription_tier]" },
      { table: 'models', column: 'required_tier', type: 'subscription_tier', nullable: false, default: "'free'::subscription_tier" },
      { table: 'models', column: 'tier_restriction_mode', type: 'character varying(20)', nullable: false, default: "'minimum'::character varying" },
    ]);
    // Nothing that existed before changed.
    expect(after.columns.filter((c) => before.columns.some((b) => b.table === c.table && b.column === c.column))).toEqual(before.columns);
  });

  it('adds exactly the guide\'s two indexes', async () => {
    const after = await snapshot(migrated);
    const before = await snapshot(baseline);
    const added = after.indexes.filter((i) => existedBefore(before, i.table) && !before.indexes.some((b) => b.name === i.name));
    expect(added).toEqual([
      { table: 'models', name: 'models_is_available_required_tier_idx', definition: 'CREATE INDEX models_is_available_required_tier_idx ON public.models USING btree (is_available, required_tier)' },
      { table: 'models', name: 'models_required_tier_idx', definition: 'CREATE INDEX models_required_tier_idx ON public.models USING btree (required_tier)' },
    ]);
  });

  it('gives every created_at / updated_at column a database default, so the guide\'s raw inserts work', async () => {
    const { columns } = await snapshot(migrated);
    const stamps = columns.filter((c) => c.column === 'created_at' || c.column === 'updated_at');
    expect(stamps.length).toBeGreaterThanOrEqual(7);
    for (const c of stamps) expect(c.default, `${c.table}.${c.column}`).toBe('CURRENT_TIMESTAMP');
  });

  it('accepts the guide\'s test-user INSERTs verbatim', async () => {
    await migrated.pool.query(`INSERT INTO users (id, email, email_verified, password_hash, created_at, updated_at)
      VALUES ('aaaaaaaa-bbbb-cccc-dddd-000000000001'::uuid, 'free@example.com', true, '$2b$10$x', NOW(), NOW())`);
    await migrated.pool.query(`INSERT INTO subscriptions (user_id, tier, status, credits_per_month, price_cents, billing_interval, current_period_start, current_period_end)
      VALUES ('aaaaaaaa-bbbb-cccc-dddd-000000000001'::uuid, 'free', 'active', 2000, 0, 'monthly', NOW(), NOW() + INTERVAL '30 days')`);
    const { rows } = await migrated.pool.query(`SELECT u.email, s.tier, s.status FROM users u LEFT JOIN subscriptions s ON u.id = s.user_id`);
    expect(rows).toEqual([{ email: 'free@example.com', tier: 'free', status: 'active' }]);
  });
});

describe('down.sql', () => {
  it('every migration after the baseline has one', () => {
    for (const m of migrations.slice(tierIndex)) expect(m.downSql, m.name).not.toBeNull();
  });

  it('brings the catalog back to exactly the baseline\'s (psql, newest first)', async () => {
    for (const m of migrations.slice(tierIndex).reverse()) await psqlFile(migrated.url, join(MIGRATIONS_DIR, m.name, 'down.sql'));
    expect(await snapshot(migrated)).toEqual(await snapshot(baseline));
  });
});
