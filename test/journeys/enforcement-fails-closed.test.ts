/**
 * Issue 13 case 5, as an operator meets it: a server running on the tier schema applied by
 * `tierctl migrate apply` (the ledger says so), then changes made behind its back.
 *
 * - `ALTER TABLE models DROP COLUMN allowed_tiers` with no rollback recorded: the running
 *   server keeps enforcing the last policies it read (the free user never gets gpt-5),
 *   `/health` says degraded, `/metrics` counts it; a server started now has no policies to
 *   keep and answers completions 503 `policy_unavailable`.
 * - The column put back: policies are read from the database again, health is healthy.
 * - A schema named like the role (`current_schema()` is not where `models` resolves): still
 *   enforced, on the running server and on a fresh one.
 * - A real rollback (`tierctl migrate rollback`, the ledger records it): enforcement loosens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, getJson, loginToken, postJson } from '../helpers/api-client.js';
import { apply, rollback } from '../helpers/migrate.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const db = useTestDatabase('none');
/** The servers here look for the tier columns every 200 ms (default 2 s; the issue saw 200 within 2 s). */
const RECHECK_MS = 200;
/** Long enough for several re-checks and catalog reloads. */
const WATCH_MS = 1_500;
const running: RunningApp[] = [];
let server: RunningApp;

const sql = (text: string) => db().pool.query(text);
const start = async () => {
  const s = await startApp(db(), { cache: { schemaRecheckMs: RECHECK_MS } });
  running.push(s);
  return s;
};
const tokens = new Map<RunningApp, string>();
const freeToken = async (s: RunningApp) => tokens.get(s) ?? tokens.set(s, await loginToken(s.url, 'free@example.com')).get(s)!;
const gpt5AsFree = async (s: RunningApp) => postJson(s.url, '/v1/chat/completions', chat('gpt-5'), await freeToken(s));
const health = async (s: RunningApp) => (await getJson(s.url, '/health')).body;
const metric = async (s: RunningApp, name: string) => {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(name)).join('\n');
};
/** Asks `times` times over `ms`, returns every status seen. */
async function statusesOver(s: RunningApp, ms: number, times = 8): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < times; i++) {
    seen.push((await gpt5AsFree(s)).status);
    await new Promise((r) => setTimeout(r, ms / times));
  }
  return seen;
}

beforeAll(async () => {
  await apply(db());
  await seedSandbox(db());
  server = await start();
});
afterAll(async () => {
  await Promise.all(running.map((s) => s.close()));
});

describe('a tier column dropped behind the running server (no rollback recorded)', () => {
  it('before: the free user is denied gpt-5 and health is healthy', async () => {
    expect((await gpt5AsFree(server)).status).toBe(403);
    expect(await health(server)).toMatchObject({ status: 'healthy', database: 'connected', policies: 'database' });
  });

  it('after: the running server keeps enforcing the last policies it read, and says it is degraded', async () => {
    await sql('ALTER TABLE models DROP COLUMN allowed_tiers');
    const seen = await statusesOver(server, WATCH_MS);
    expect(seen.every((s) => s === 403)).toBe(true);
    const denial = await gpt5AsFree(server);
    expect(denial.body.message).toBe('Model access restricted: Requires Enterprise tier or higher');
    expect(await health(server)).toMatchObject({ status: 'degraded', database: 'connected', policies: 'last_known' });
    expect(await metric(server, 'tier_policy_degraded_total')).toMatch(/^tier_policy_degraded_total{policies="last_known"} [1-9]/m);
    // The listing keeps the policies enforced, not a catalog without tier fields.
    const listing = await getJson(server.url, '/v1/models', await freeToken(server));
    expect(listing.body.models.find((m: { id: string }) => m.id === 'gpt-5')).toMatchObject({ required_tier: 'enterprise', access_status: 'upgrade_required' });
  });

  it('a server started now has no policies to keep: completions answer 503 policy_unavailable', async () => {
    const fresh = await start();
    const res = await gpt5AsFree(fresh);
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('policy_unavailable');
    expect((await postJson(fresh.url, '/v1/chat/completions', chat('gpt-4o-mini'), await freeToken(fresh))).status).toBe(503);
    expect(await health(fresh)).toMatchObject({ status: 'degraded', policies: 'unavailable' });
    expect(await metric(fresh, 'tier_checks_total{result="policy_unavailable"}')).toMatch(/ [1-9]/);
  });

  it('the column put back: policies are read again, every server is healthy', async () => {
    await sql(`ALTER TABLE models ADD COLUMN allowed_tiers subscription_tier[] NOT NULL DEFAULT ARRAY['free','pro','enterprise']::subscription_tier[]`);
    for (const s of running) {
      await waitFor('policies read from the database again', async () => (await health(s)).policies === 'database', 5_000, 50);
      expect((await gpt5AsFree(s)).status).toBe(403);
      expect(await health(s)).toMatchObject({ status: 'healthy' });
    }
  });
});

describe('current_schema() is not where models resolves (a schema named like the role)', () => {
  it('the running server and a fresh one keep enforcing', async () => {
    await sql('CREATE SCHEMA IF NOT EXISTS postgres');
    try {
      expect((await db().pool.query('SELECT current_schema() AS s')).rows[0].s).toBe('postgres');
      const seen = await statusesOver(server, WATCH_MS);
      expect(seen.every((s) => s === 403)).toBe(true);
      const fresh = await start();
      expect((await gpt5AsFree(fresh)).status).toBe(403);
    } finally {
      await sql('DROP SCHEMA postgres');
    }
  });
});

describe('a rollback the ledger records', () => {
  it('loosens enforcement: the free user gets gpt-5, health is healthy with no policies', async () => {
    await rollback(db(), { acceptLoss: true, reason: 'journey: a recorded rollback' });
    for (const s of running) {
      await waitFor('enforcement to loosen after the recorded rollback', async () => (await gpt5AsFree(s)).status === 200, 5_000, 50);
      expect(await health(s)).toMatchObject({ status: 'healthy', policies: 'none' });
    }
  });
});
