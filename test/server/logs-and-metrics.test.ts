/**
 * The guide's log lines (pino JSON) with no secret in them, and /metrics in Prometheus text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, getJson, loginToken, postJson } from '../helpers/api-client.js';
import { captureLog } from '../helpers/capture-log.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { TEST_JWT_SECRET, startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('all');
const log = captureLog('debug');
let server: RunningApp;
let free: string;

beforeAll(async () => {
  await seedSandbox(db());
  server = await startApp(db(), { logger: log.logger });
  free = await loginToken(server.url, 'free@example.com');
  await postJson(server.url, '/v1/chat/completions', chat('gpt-4o-mini'), free);
  await postJson(server.url, '/v1/chat/completions', chat('gpt-5'), free);
  await postJson(server.url, '/v1/auth/login', { email: 'free@example.com', password: 'not-the-password' });
  await getJson(server.url, '/v1/models');
});
afterAll(async () => {
  await server?.close();
});

describe('logs', () => {
  it("carry the guide's messages as JSON lines", async () => {
    expect(log.find('ModelService: Initialized')).toHaveLength(1);
    const checks = log.find('Tier access check completed');
    expect(checks).toHaveLength(2);
    expect(checks.map((c) => c.allowed).sort()).toEqual([false, true]);
    for (const c of checks) expect(c.durationMs).toBeGreaterThanOrEqual(0);
    const denied = log.find('Model access denied');
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ modelId: 'gpt-5', userTier: 'free', requiredTier: 'enterprise', level: 30 });
    // The catalog was loaded on ready, so both completions and the listing were served from
    // the cache: one line each ("Returning cached models" for the listing).
    expect(log.find('Returning cached model').length).toBe(3);
    expect(log.find('Returning cached models')).toHaveLength(1);
    // The free user's tier was read once (at login) and said why.
    const [tier] = log.find('getUserTier');
    expect(tier).toMatchObject({ level: 30, tier: 'free', basis: 'entitled', subscriptionTier: 'free', status: 'active' });
  });

  it('never contain the token, the password or the JWT secret', () => {
    const text = log.text();
    expect(text).not.toContain(free);
    expect(text).not.toContain(free.split('.')[2]);
    expect(text).not.toContain('Password123!');
    expect(text).not.toContain('not-the-password');
    expect(text).not.toContain(TEST_JWT_SECRET);
  });

  it('redact secrets a log call might be handed by mistake', () => {
    log.logger.info({ password: 'hunter2-secret', headers: { authorization: 'Bearer abc.def.ghi' }, apiKey: 'sk-live-123' }, 'redaction probe');
    const [probe] = log.find('redaction probe');
    expect(JSON.stringify(probe)).not.toMatch(/hunter2-secret|abc\.def\.ghi|sk-live-123/);
  });
});

describe('/metrics', () => {
  it('serves Prometheus text with tier checks, their duration, cache and request counts', async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^tier_checks_total\{result="allowed"\} 1$/m);
    expect(text).toMatch(/^tier_checks_total\{result="denied"\} 1$/m);
    expect(text).toMatch(/^tier_check_duration_seconds_count\{result="denied"\} 1$/m);
    expect(text).toMatch(/^model_cache_requests_total\{result="hit"\} [1-9]/m);
    expect(text).toMatch(/^model_cache_requests_total\{result="miss"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{route="\/v1\/chat\/completions",method="POST",status="403"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{route="\/v1\/auth\/login",method="POST",status="401"\} 1$/m);
  });

  it('keeps one registry per app: a second app starts from zero', async () => {
    const other = await startApp(db());
    try {
      const text = await (await fetch(`${other.url}/metrics`)).text();
      expect(text).not.toMatch(/^tier_checks_total\{/m);
    } finally {
      await other.close();
    }
  });
});
