/**
 * Every request is recorded in api_logs, written in batches off the request path; a
 * graceful shutdown finishes in-flight requests and flushes: N requests -> exactly N rows.
 */
import { describe, expect, it } from 'vitest';
import { MOCK_GREETING } from '../../src/server/providers/mock.js';
import { createProviderRegistry } from '../../src/server/providers/provider.js';
import { chat, getJson, loginToken, postJson } from '../helpers/api-client.js';
import { countingMockProvider } from '../helpers/counting-provider.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const db = useTestDatabase('all');
const countRows = async () => (await db().pool.query<{ n: number }>('SELECT count(*)::int AS n FROM api_logs')).rows[0]!.n;

describe('api_logs', () => {
  it('N requests then a graceful shutdown leave exactly N rows, with who, what and why', async () => {
    await seedSandbox(db());
    await db().pool.query('TRUNCATE api_logs');
    // A long flush interval: the rows reach the database at shutdown (or by batch size).
    const server = await startApp(db(), { apiLogs: { flushIntervalMs: 60_000, maxBatch: 50 } });
    const free = await loginToken(server.url, 'free@example.com');
    const kinds = [
      () => postJson(server.url, '/v1/chat/completions', chat('gpt-4o-mini'), free),
      () => postJson(server.url, '/v1/chat/completions', chat('claude-3.5-sonnet'), free),
      () => postJson(server.url, '/v1/chat/completions', chat('no-such-model'), free),
      () => postJson(server.url, '/v1/chat/completions', chat('gpt-5')),
      () => getJson(server.url, '/v1/models', free),
      () => postJson(server.url, '/v1/completions', { model: 'gpt-4o-mini', prompt: 'Hello', stream: true }, free),
      () => postJson(server.url, '/v1/chat/completions', '{broken', free),
    ];
    const n = 301;
    const statuses = await Promise.all(Array.from({ length: n }, (_, i) => kinds[i % kinds.length]!().then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([200, 403, 404, 401, 400]));
    await server.close();
    expect(await countRows()).toBe(n + 1); // + the login
    const { rows } = await db().pool.query(
      `SELECT status_code, error_code, model_id, user_id, tier_check_ms, latency_ms, method, path FROM api_logs WHERE status_code = 403 LIMIT 1`,
    );
    expect(rows[0]).toMatchObject({
      status_code: 403,
      error_code: 'model_access_restricted',
      model_id: 'claude-3.5-sonnet',
      user_id: 'aaaaaaaa-bbbb-cccc-dddd-000000000001',
      method: 'POST',
      path: '/v1/chat/completions',
    });
    expect(rows[0].tier_check_ms).toBeGreaterThanOrEqual(0);
    expect(rows[0].latency_ms).toBeGreaterThan(0);
    // The guide's monitoring query counts the denials.
    const denials = await db().pool.query<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM api_logs WHERE status_code = 403 AND error_code = 'model_access_restricted' AND created_at >= NOW() - INTERVAL '24 hours'`,
    );
    expect(denials.rows[0]!.n).toBe(statuses.filter((s) => s === 403).length);
    const unauth = await db().pool.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM api_logs WHERE status_code = 401 AND user_id IS NULL AND error_code = 'missing_token'`);
    expect(unauth.rows[0]!.n).toBe(statuses.filter((s) => s === 401).length);
  });

  it('stores what the client sent as it was sent: tabs, newlines, backslashes, quotes, non-ASCII', async () => {
    await db().pool.query('TRUNCATE api_logs');
    const server = await startApp(db(), { apiLogs: { flushIntervalMs: 60_000, maxBatch: 1000 } });
    const model = 'a\tb\\N\nc\r"d\' é😀\\';
    const free = await loginToken(server.url, 'free@example.com');
    expect((await postJson(server.url, '/v1/chat/completions', chat(model), free)).status).toBe(404);
    expect((await getJson(server.url, '/v1/models')).status).toBe(200);
    await server.close();
    const { rows } = await db().pool.query(`SELECT model_id, path, user_id, error_code, tier_check_ms, method FROM api_logs WHERE path <> '/v1/auth/login' ORDER BY id`);
    expect(rows).toEqual([
      { model_id: model, path: '/v1/chat/completions', user_id: 'aaaaaaaa-bbbb-cccc-dddd-000000000001', error_code: 'model_not_found', tier_check_ms: null, method: 'POST' },
      { model_id: null, path: '/v1/models', user_id: null, error_code: null, tier_check_ms: null, method: 'GET' },
    ]);
  });

  it('writes rows while running, in batches, without waiting for shutdown', async () => {
    await db().pool.query('TRUNCATE api_logs');
    const server = await startApp(db(), { apiLogs: { flushIntervalMs: 50, maxBatch: 1000 } });
    try {
      for (let i = 0; i < 5; i++) expect((await getJson(server.url, '/health')).status).toBe(200);
      await waitFor('5 rows written', async () => (await countRows()) === 5);
    } finally {
      await server.close();
    }
    expect(await countRows()).toBe(5);
  });

  it('a shutdown during slow requests lets them finish, and records them', async () => {
    await db().pool.query('TRUNCATE api_logs');
    const provider = countingMockProvider({ delayMs: 40 });
    const server = await startApp(db(), { providers: createProviderRegistry([provider]), apiLogs: { flushIntervalMs: 60_000, maxBatch: 1000 } });
    const pro = await loginToken(server.url, 'pro@example.com');
    const plainRequest = postJson(server.url, '/v1/chat/completions', chat('claude-3.5-sonnet'), pro);
    const streamRequest = fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${pro}`, 'content-type': 'application/json' },
        body: JSON.stringify(chat('claude-3.5-sonnet', 'Hello', { stream: true })),
      }).then(async (r) => ({ status: r.status, text: await r.text() }));
    await waitFor('both requests in the provider', async () => provider.calls.length === 2);
    const closing = server.close();
    const [plain, streamed] = await Promise.all([plainRequest, streamRequest]);
    await closing;
    expect(plain.status).toBe(200);
    expect(plain.body.choices[0].message.content).toBe(MOCK_GREETING);
    expect(streamed.status).toBe(200);
    expect(streamed.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    expect(await countRows()).toBe(3); // login + the two slow requests
  });
});
