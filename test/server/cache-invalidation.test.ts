/**
 * LISTEN/NOTIFY cache invalidation across instances: two apps on one database, caches whose
 * TTLs (an hour) and schema re-check could never explain a change reaching them, so only the
 * notifications (or the caches being off while the listener is down) can. "Within one
 * second" is the contract: each change is polled for with that bound.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgChangeListener, LISTENER_APPLICATION_NAME, type PgChangeListener } from '../../src/server/cache/pg-change-listener.js';
import type { AppOptions } from '../../src/server/app-options.js';
import { chat, getJson, loginToken, postJson } from '../helpers/api-client.js';
import { captureLog } from '../helpers/capture-log.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const db = useTestDatabase('all');
const HOUR = 3_600_000;
/** Nothing expires by time during the test. */
const LONG_CACHES: Partial<AppOptions> = { cache: { modelTtlMs: HOUR, userTierTtlMs: HOUR, schemaRecheckMs: HOUR } };
const WITHIN_1S = 1_000;

let a: RunningApp;
let b: RunningApp;
/** Same caches, no listener: shows what the others would answer without notifications. */
let deaf: RunningApp;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  await seedSandbox(db());
  [a, b, deaf] = await Promise.all([startApp(db(), LONG_CACHES), startApp(db(), LONG_CACHES), startApp(db(), { ...LONG_CACHES, changeListener: false })]);
  for (const who of ['free', 'pro']) tokens[who] = await loginToken(a.url, `${who}@example.com`);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close(), deaf?.close()]);
});

const sql = (text: string, params: unknown[] = []) => db().pool.query(text, params);
const setSubscriptionTier = (email: string, tier: string) =>
  sql(`UPDATE subscriptions SET tier = $2::subscription_tier WHERE user_id = (SELECT id FROM users WHERE email = $1)`, [email, tier]);
const setRequiredTier = (model: string, tier: string) => sql(`UPDATE models SET required_tier = $2::subscription_tier WHERE id = $1`, [model, tier]);

const chatStatus = async (server: RunningApp, who: string, model: string) => (await postJson(server.url, '/v1/chat/completions', chat(model), tokens[who])).status;
async function listed(server: RunningApp, who: string, model: string) {
  const res = await getJson(server.url, '/v1/models', tokens[who]);
  return res.body.models.find((m: { id: string }) => m.id === model) as Record<string, unknown>;
}

/** Polls until every server answers `want` (bounded by `ms`), then returns what each answered. */
async function allAnswer<T>(servers: RunningApp[], ask: (s: RunningApp) => Promise<T>, want: T, what: string, ms = WITHIN_1S): Promise<void> {
  await waitFor(what, async () => (await Promise.all(servers.map(ask))).every((x) => x === want), ms, 10);
}

describe('two instances on one database', () => {
  it('a subscription upgrade in SQL reaches both within a second, and so does the downgrade', async () => {
    const gpt5AsFree = (s: RunningApp) => chatStatus(s, 'free', 'gpt-5');
    // Warm every cache: the free tier is cached for an hour on all three.
    for (const s of [a, b, deaf]) for (let i = 0; i < 2; i++) expect(await gpt5AsFree(s)).toBe(403);
    await setSubscriptionTier('free@example.com', 'enterprise');
    await allAnswer([a, b], gpt5AsFree, 200, 'both instances to grant gpt-5 after the upgrade');
    expect(await gpt5AsFree(deaf)).toBe(403); // without notifications the cached tier stands
    await setSubscriptionTier('free@example.com', 'free');
    await allAnswer([a, b], gpt5AsFree, 403, 'both instances to deny gpt-5 after the downgrade');
    const denial = await postJson(b.url, '/v1/chat/completions', chat('gpt-5'), tokens.free);
    expect(denial.body.error.message).toBe('Model access restricted: Requires Enterprise tier or higher');
  });

  it("a model's tier change reaches both instances' listings and decisions", async () => {
    const requiredTier = async (s: RunningApp) => (await listed(s, 'pro', 'gpt-5')).required_tier;
    for (const s of [a, b, deaf]) {
      expect(await requiredTier(s)).toBe('enterprise');
      expect(await chatStatus(s, 'pro', 'gpt-5')).toBe(403);
    }
    await setRequiredTier('gpt-5', 'pro');
    await allAnswer([a, b], requiredTier, 'pro', 'both listings to show gpt-5 at pro');
    for (const s of [a, b]) {
      expect(await listed(s, 'pro', 'gpt-5')).toMatchObject({ required_tier: 'pro', access_status: 'allowed' });
      expect(await chatStatus(s, 'pro', 'gpt-5')).toBe(200);
    }
    expect(await requiredTier(deaf)).toBe('enterprise');
    await setRequiredTier('gpt-5', 'enterprise');
    await allAnswer([a, b], (s) => chatStatus(s, 'pro', 'gpt-5'), 403, 'both instances to deny gpt-5 to pro again');
  });

  it('a model added or deleted in SQL appears and disappears on both', async () => {
    const known = async (s: RunningApp) => (await listed(s, 'free', 'notify-test-model')) !== undefined;
    await allAnswer([a, b], known, false, 'the model to be unknown');
    await sql(`INSERT INTO models (id, name, display_name, provider, updated_at) SELECT 'notify-test-model', name, display_name, provider, now() FROM models WHERE id = 'gpt-5'`);
    await allAnswer([a, b], known, true, 'both listings to show the new model');
    await sql(`DELETE FROM models WHERE id = 'notify-test-model'`);
    await allAnswer([a, b], known, false, 'both listings to drop the deleted model');
    await allAnswer([a, b], async (s) => (await postJson(s.url, '/v1/chat/completions', chat('notify-test-model'), tokens.free)).status, 404, 'the deleted model to be unknown');
  });
});

describe('the listener connection dropping', () => {
  const log = captureLog('info');
  let listeners: PgChangeListener[] = [];
  let servers: RunningApp[] = [];
  const listenerPids = async () =>
    (await sql(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 ORDER BY pid`, [LISTENER_APPLICATION_NAME])).rows.map((r) => r.pid as number);

  beforeAll(async () => {
    // A slow first retry (1.5 s or more) holds both instances disconnected while the change is made.
    listeners = [0, 1].map(() => createPgChangeListener({ databaseUrl: db().url, log: log.logger, retryInitialMs: 2_000 }));
    servers = await Promise.all(listeners.map((l) => startApp(db(), { ...LONG_CACHES, changeListener: l })));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('serves no stale answer while disconnected, reconnects, and invalidates again', async () => {
    expect(listeners.every((l) => l.listening)).toBe(true);
    for (const s of servers) for (let i = 0; i < 2; i++) expect(await chatStatus(s, 'pro', 'gpt-5')).toBe(403);
    const before = await listenerPids();
    // The two test instances' listeners and those of a and b (deaf has none).
    expect(before.length).toBe(4);
    const killed = await sql(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [LISTENER_APPLICATION_NAME]);
    expect(killed.rows.every((r) => r.ok === true)).toBe(true);
    await waitFor('both listeners to notice the drop', async () => listeners.every((l) => !l.listening), 2_000, 5);
    expect(log.find('Cache invalidation: LISTEN connection lost; caches off until it is back').length).toBeGreaterThanOrEqual(2);

    await setRequiredTier('gpt-5', 'pro');
    // No notification can arrive now; a cache kept across the drop would still say enterprise.
    for (const s of servers) {
      expect(await chatStatus(s, 'pro', 'gpt-5')).toBe(200);
      expect((await listed(s, 'pro', 'gpt-5')).required_tier).toBe('pro');
    }

    await waitFor('both listeners to reconnect', async () => listeners.every((l) => l.listening), 15_000, 20);
    const after = await listenerPids();
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
    for (const s of servers) for (let i = 0; i < 2; i++) expect(await chatStatus(s, 'pro', 'gpt-5')).toBe(200);
    await setRequiredTier('gpt-5', 'enterprise');
    await allAnswer(servers, (s) => chatStatus(s, 'pro', 'gpt-5'), 403, 'the reconnected instances to deny gpt-5 again');
    // The default listeners of a and b came back too (caching again), and notify their apps.
    await waitFor('every listener backend to be back', async () => (await listenerPids()).length === 4, 15_000, 20);
    for (const s of [a, b]) for (let i = 0; i < 2; i++) expect(await chatStatus(s, 'free', 'claude-3.5-sonnet')).toBe(403);
    await setSubscriptionTier('free@example.com', 'pro');
    await allAnswer([a, b], (s) => chatStatus(s, 'free', 'claude-3.5-sonnet'), 200, 'the default listeners to reconnect and deliver');
    await setSubscriptionTier('free@example.com', 'free');
  });
});
