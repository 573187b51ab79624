/**
 * Issue 14 "cache invalidation that keeps its promise through a pooler" and issue 13 "a
 * deleted user loses access at once on every instance", as an operator runs it: three
 * instances on one database, caches that never expire by themselves (an hour), and
 *
 * - `direct`: DATABASE_URL straight to PostgreSQL (LISTEN, proven by a round trip);
 * - `pooled`: DATABASE_URL through a real PgBouncer in transaction mode, no DIRECT_URL
 *   (its LISTEN does not deliver: it must notice and poll the change counter);
 * - `pooledDirect`: DATABASE_URL through PgBouncer, DIRECT_URL straight (LISTEN there).
 *
 * Changes made in SQL behind their backs must reach all three within a second, and
 * `/health` and `/metrics` say which mode each is in.
 */
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppOptions } from '../../src/server/app-options.js';
import type { UserChange } from '../../src/server/cache/user-changes.js';
import { chat, getJson, loginToken, postJson } from '../helpers/api-client.js';
import { usePgBouncer } from '../helpers/pgbouncer.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';
import { databaseTarget, plainTarget } from '../../src/shared/database-target.js';
import { unwrap } from '../../src/shared/failure.js';

const db = useTestDatabase('all');
const bouncer = usePgBouncer(() => db().url);
const HOUR = 3_600_000;
const LONG_CACHES: Partial<AppOptions> = { cache: { modelTtlMs: HOUR, userTierTtlMs: HOUR, schemaRecheckMs: HOUR } };
const WITHIN_1S = 1_000;

let direct: RunningApp;
let pooled: RunningApp;
let pooledDirect: RunningApp;
let all: RunningApp[];
const tokens = new Map<RunningApp, string>();
const changes = new Map<RunningApp, UserChange[]>();

beforeAll(async () => {
  await seedSandbox(db());
  [direct, pooled, pooledDirect] = await Promise.all([
    startApp(db(), LONG_CACHES),
    startApp(db(), { ...LONG_CACHES, database: plainTarget(bouncer().url) }),
    startApp(db(), { ...LONG_CACHES, database: unwrap(databaseTarget(bouncer().url, { url: db().url, source: 'DIRECT_URL' })) }),
  ]);
  all = [direct, pooled, pooledDirect];
  for (const s of all) {
    tokens.set(s, await loginToken(s.url, 'free@example.com'));
    const seen: UserChange[] = [];
    s.app.userChanges.subscribe((c) => seen.push(c));
    changes.set(s, seen);
  }
});
afterAll(async () => {
  await Promise.all((all ?? []).map((s) => s.close()));
});

const sql = (text: string, params: unknown[] = []) => db().pool.query(text, params);
const status = async (s: RunningApp, model: string, token = tokens.get(s)) => (await postJson(s.url, '/v1/chat/completions', chat(model), token)).status;
const mode = async (s: RunningApp) => (await getJson(s.url, '/health')).body.cache_invalidation as string;
/** Polls until every server answers `want`, at most `ms`. */
const allAnswer = (ask: (s: RunningApp) => Promise<unknown>, want: unknown, what: string, ms = WITHIN_1S) =>
  waitFor(what, async () => (await Promise.all(all.map(ask))).every((x) => x === want), ms, 10);

describe('three instances: direct, through PgBouncer, through PgBouncer with DIRECT_URL', () => {
  it('each says how its caches learn about changes (/health and /metrics)', async () => {
    expect(await mode(direct)).toBe('listen');
    expect(await mode(pooled)).toBe('poll');
    expect(await mode(pooledDirect)).toBe('listen');
    const metrics = await (await fetch(`${pooled.url}/metrics`)).text();
    expect(metrics).toMatch(/^cache_invalidation_mode{mode="poll"} 1$/m);
    expect(metrics).toMatch(/^cache_invalidation_mode{mode="listen"} 0$/m);
  });

  it('a subscription upgrade and downgrade in SQL reach all three within a second', async () => {
    for (const s of all) for (let i = 0; i < 2; i++) expect(await status(s, 'gpt-5')).toBe(403); // cached for an hour
    await sql(`UPDATE subscriptions SET tier = 'enterprise' WHERE user_id = (SELECT id FROM users WHERE email = 'free@example.com')`);
    await allAnswer((s) => status(s, 'gpt-5'), 200, 'all three to grant gpt-5 after the upgrade');
    await sql(`UPDATE subscriptions SET tier = 'free' WHERE user_id = (SELECT id FROM users WHERE email = 'free@example.com')`);
    await allAnswer((s) => status(s, 'gpt-5'), 403, 'all three to deny gpt-5 after the downgrade');
  });

  it("a model's tier change reaches all three", async () => {
    for (const s of all) expect(await status(s, 'gpt-4o-mini')).toBe(200);
    await sql(`UPDATE models SET required_tier = 'pro' WHERE id = 'gpt-4o-mini'`);
    await allAnswer((s) => status(s, 'gpt-4o-mini'), 403, 'all three to deny gpt-4o-mini once it needs pro');
    await sql(`UPDATE models SET required_tier = 'free' WHERE id = 'gpt-4o-mini'`);
    await allAnswer((s) => status(s, 'gpt-4o-mini'), 200, 'all three to allow it again');
  });

  it('a deleted user (no subscription to cascade to) loses access on all three within a second', async () => {
    const hash = await bcrypt.hash('Deleted-user-1!', 4);
    const { rows } = await sql(`INSERT INTO users (email, password_hash) VALUES ('leaving@example.com', $1) RETURNING id`, [hash]);
    const id = rows[0].id as string;
    const token = await loginToken(direct.url, 'leaving@example.com', 'Deleted-user-1!');
    for (const s of all) for (let i = 0; i < 2; i++) expect(await status(s, 'gpt-4o-mini', token)).toBe(200); // tier cached for an hour
    for (const s of all) changes.get(s)!.length = 0;
    await sql(`DELETE FROM users WHERE id = $1`, [id]);
    await allAnswer((s) => status(s, 'gpt-4o-mini', token), 401, 'all three to refuse the deleted user');
    // What the cache-invalidation layer told each app's listeners (a token cache would follow these).
    expect(changes.get(direct)).toContainEqual({ kind: 'deleted', userId: id });
    expect(changes.get(pooledDirect)).toContainEqual({ kind: 'deleted', userId: id });
    expect(changes.get(pooled)).toContainEqual({ kind: 'all' });
  });

  it('the polling instance turns its caches off while the counter is gone, and back on when it returns', async () => {
    await sql(`ALTER TABLE tierctl_cache_version RENAME TO tierctl_cache_version_away`);
    try {
      await waitFor('the pooled instance to turn its caches off', async () => (await mode(pooled)) === 'off', 2_000, 20);
      // No counter to poll: every request reads the database, so a change is seen at once.
      await sql(`UPDATE subscriptions SET tier = 'enterprise' WHERE user_id = (SELECT id FROM users WHERE email = 'free@example.com')`);
      expect(await status(pooled, 'gpt-5')).toBe(200);
      await sql(`UPDATE subscriptions SET tier = 'free' WHERE user_id = (SELECT id FROM users WHERE email = 'free@example.com')`);
      expect(await status(pooled, 'gpt-5')).toBe(403);
    } finally {
      await sql(`ALTER TABLE tierctl_cache_version_away RENAME TO tierctl_cache_version`);
    }
    await waitFor('the pooled instance to poll again', async () => (await mode(pooled)) === 'poll', 2_000, 20);
    await sql(`UPDATE subscriptions SET tier = 'pro' WHERE user_id = (SELECT id FROM users WHERE email = 'free@example.com')`);
    await allAnswer((s) => status(s, 'claude-3.5-sonnet'), 200, 'all three to grant a pro model after the counter is back');
    await sql(`UPDATE subscriptions SET tier = 'free' WHERE user_id = (SELECT id FROM users WHERE email = 'free@example.com')`);
  });
});
