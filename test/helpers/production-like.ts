/**
 * A production-like database of this product, of any size: the schema built by tierctl's
 * own migrations (ledger as Prisma keeps it), the sandbox catalog's models plus generated
 * ones (some behind an upstream that is not the mock), users with one subscription each
 * across tiers and statuses (some periods already ended), and api_logs over 30 days. The
 * data is generated inside PostgreSQL (generate_series), deterministic for a given size.
 * Tests use small sizes; the bench uses 1,000 models, 100,000 users, 1,000,000 api_logs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { insertSandboxCatalog } from '../../src/db/sandbox-catalog.js';
import { quoteIdent } from '../../src/db/sql.js';
import { loadSandboxModels } from '../../src/fixtures/load-fixtures.js';
import { migrateApply } from '../../src/runbook/migrate/migrate-apply.js';
import { baselineMigrationsDir } from '../../src/runbook/rehearse/sandbox-database.js';
import { unwrap } from '../../src/shared/failure.js';
import { silentReporter } from '../../src/shared/reporter.js';
import { plainTarget } from '../../src/shared/database-target.js';

export interface ProductionShape {
  /** Models in all (the sandbox catalog's four included, unless left out with `without`). */
  readonly models: number;
  readonly users: number;
  readonly apiLogs: number;
  /** `baseline`: the guide's starting point; `tier`: every migration applied and the models given tiers. */
  readonly at: 'baseline' | 'tier';
  /** Catalog models to leave out (e.g. one tier-assignments.json names). */
  readonly without?: readonly string[];
}

/** A bcrypt hash (cost 4) of a password nobody uses: production users' logins are not part of a rehearsal. */
const PASSWORD_HASH = '$2b$04$lNjmBE7BCD9Xnj6UParljelYV1XSP/ssER.g8G1ke6ZDtp/quZPcG';

export async function fillProductionLike(url: string, shape: ProductionShape): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'tierctl-prodlike-'));
  try {
    const dir = shape.at === 'baseline' ? await baselineMigrationsDir(work) : undefined;
    unwrap(await migrateApply({ database: plainTarget(url), ...(dir ? { migrationsDir: unwrap(dir) } : {}) }, { reporter: silentReporter }));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${quoteIdent(plainTarget(url).schema)}`);
    await client.query('BEGIN');
    const catalog = unwrap(await loadSandboxModels()).filter((m) => !shape.without?.includes(m.id));
    await insertSandboxCatalog(client, 'public', catalog);
    await client.query(
      `INSERT INTO models (id, name, display_name, provider, description, capabilities, context_length, credits_per_1k_tokens, is_available)
       SELECT format('model-%s', lpad(i::text, 4, '0')), format('Model %s', i), format('Model %s', i),
              CASE WHEN i % 3 = 0 THEN 'openai-compatible' ELSE 'mock' END, 'generated',
              ARRAY['chat','completion'], 8192 * (1 + i % 16), 1 + i % 40, i % 25 <> 0
         FROM generate_series(1, $1::int) AS i`,
      [Math.max(0, shape.models - catalog.length)],
    );
    // One subscription per user: 60% free, 30% pro, 10% enterprise; 75% active, 5% trialing,
    // 8% past_due, 7% cancelled, 5% expired; 2% of the active ones past their period end.
    await client.query(
      `INSERT INTO users (id, email, email_verified, password_hash, created_at, updated_at)
       SELECT md5('user' || i)::uuid, format('user-%s@customers.example', i), i % 10 <> 0, $2, now() - (i % 700) * interval '1 day', now()
         FROM generate_series(1, $1::int) AS i`,
      [shape.users, PASSWORD_HASH],
    );
    await client.query(
      `INSERT INTO subscriptions (user_id, tier, status, credits_per_month, price_cents, billing_interval, current_period_start, current_period_end)
       SELECT md5('user' || i)::uuid, t.tier::subscription_tier, s.status::subscription_status,
              CASE t.tier WHEN 'free' THEN 2000 WHEN 'pro' THEN 20000 ELSE 100000 END,
              CASE t.tier WHEN 'free' THEN 0 WHEN 'pro' THEN 1900 ELSE 9900 END,
              CASE WHEN i % 4 = 0 THEN 'yearly' ELSE 'monthly' END,
              now() - interval '10 days',
              CASE WHEN s.status IN ('cancelled', 'expired') OR i % 50 = 7 THEN now() - interval '1 day' ELSE now() + interval '20 days' END
         FROM generate_series(1, $1::int) AS i,
              LATERAL (SELECT CASE WHEN i % 10 < 6 THEN 'free' WHEN i % 10 < 9 THEN 'pro' ELSE 'enterprise' END AS tier) t,
              LATERAL (SELECT CASE WHEN i % 100 < 75 THEN 'active' WHEN i % 100 < 80 THEN 'trialing' WHEN i % 100 < 88 THEN 'past_due'
                                   WHEN i % 100 < 95 THEN 'cancelled' ELSE 'expired' END AS status) s`,
      [shape.users],
    );
    await client.query(
      `INSERT INTO api_logs (user_id, method, path, model_id, status_code, error_code, latency_ms, tier_check_ms, created_at)
       SELECT md5('user' || (1 + i % greatest($2::int, 1)))::uuid, 'POST', '/v1/chat/completions', m.id,
              CASE WHEN i % 20 = 0 THEN 403 WHEN i % 97 = 0 THEN 404 ELSE 200 END,
              CASE WHEN i % 20 = 0 THEN 'model_access_restricted' WHEN i % 97 = 0 THEN 'model_not_found' END,
              20 + (i % 500), CASE WHEN i % 3 = 0 THEN NULL ELSE (i % 7) * 0.1 END,
              now() - (i % 43200) * interval '1 minute'
         FROM generate_series(1, $1::int) AS i
         JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n FROM models) m ON m.k = i % m.n`,
      [shape.apiLogs, shape.users],
    );
    if (shape.at === 'tier') {
      await client.query(`UPDATE models SET required_tier = 'pro', allowed_tiers = ARRAY['pro','enterprise']::subscription_tier[] WHERE id LIKE 'model-%' AND right(id, 1) IN ('1', '2')`);
    }
    await client.query('COMMIT');
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}
