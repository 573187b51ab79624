/**
 * Issue 14, as an operator deploys it: `tierctl serve` (the built CLI, its own process) whose
 * DATABASE_URL goes through a real PgBouncer in transaction mode. With no DIRECT_URL its
 * LISTEN cannot deliver there: it must say so (/health, /metrics) and poll; with DIRECT_URL
 * it LISTENs there. Either way a subscription change made in SQL is seen within a second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, getJson, loginToken, postJson } from '../helpers/api-client.js';
import { usePgBouncer } from '../helpers/pgbouncer.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { TEST_JWT_SECRET } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const db = useTestDatabase('all');
const bouncer = usePgBouncer(() => db().url);
let serve: ServeProcess;
let withDirect: ServeProcess;

beforeAll(async () => {
  await seedSandbox(db());
  [serve, withDirect] = await Promise.all([
    startServe({ DATABASE_URL: bouncer().url, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'info' }),
    startServe({ DATABASE_URL: bouncer().url, DIRECT_URL: db().url, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'info' }),
  ]);
});
afterAll(async () => {
  expect(await serve?.stop()).toBe(0);
  expect(await withDirect?.stop()).toBe(0);
});

const setTier = (tier: string) => db().pool.query(`UPDATE subscriptions SET tier = $1::subscription_tier WHERE user_id = (SELECT id FROM users WHERE email = 'free@example.com')`, [tier]);

describe('tierctl serve through PgBouncer (transaction mode), no DIRECT_URL', () => {
  it('polls the change counter, and says so', async () => {
    expect((await getJson(serve.url, '/health')).body).toMatchObject({ status: 'healthy', cache_invalidation: 'poll' });
    expect(await (await fetch(`${serve.url}/metrics`)).text()).toMatch(/^cache_invalidation_mode{mode="poll"} 1$/m);
  });

  it('sees a subscription upgrade and downgrade in SQL within a second', async () => {
    const token = await loginToken(serve.url, 'free@example.com');
    const gpt5 = async () => (await postJson(serve.url, '/v1/chat/completions', chat('gpt-5'), token)).status;
    for (let i = 0; i < 2; i++) expect(await gpt5()).toBe(403);
    await setTier('enterprise');
    await waitFor('the upgrade to be seen', async () => (await gpt5()) === 200, 1_000, 10);
    await setTier('free');
    await waitFor('the downgrade to be seen', async () => (await gpt5()) === 403, 1_000, 10);
  });
});

describe('tierctl serve through PgBouncer with DIRECT_URL', () => {
  it('LISTENs on the direct connection, and sees a change within a second', async () => {
    expect((await getJson(withDirect.url, '/health')).body).toMatchObject({ status: 'healthy', cache_invalidation: 'listen' });
    const token = await loginToken(withDirect.url, 'free@example.com');
    const gpt5 = async () => (await postJson(withDirect.url, '/v1/chat/completions', chat('gpt-5'), token)).status;
    for (let i = 0; i < 2; i++) expect(await gpt5()).toBe(403);
    await setTier('enterprise');
    await waitFor('the upgrade to be seen', async () => (await gpt5()) === 200, 1_000, 10);
    await setTier('free');
    await waitFor('the downgrade to be seen', async () => (await gpt5()) === 403, 1_000, 10);
  });
});
