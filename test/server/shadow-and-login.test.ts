/**
 * Shadow mode (ENABLE_TIER_ENFORCEMENT=false) and login: same 401 for an unknown email and a
 * wrong password, throttling with Retry-After, the tier from the database at once after a
 * cache invalidation.
 */
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BCRYPT_COST } from '../../src/db/test-users.js';
import { DUMMY_HASH } from '../../src/server/routes/login.js';
import { chat, getJson, loginToken, postJson } from '../helpers/api-client.js';
import { captureLog } from '../helpers/capture-log.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('all');
beforeAll(async () => {
  await seedSandbox(db());
});

describe('shadow mode', () => {
  const log = captureLog('info');
  let server: RunningApp;
  beforeAll(async () => {
    server = await startApp(db(), { enforceTiers: false, logger: log.logger });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('denies nothing, but logs and counts every would-be denial', async () => {
    const free = await loginToken(server.url, 'free@example.com');
    for (const model of ['gpt-5', 'claude-3.5-sonnet', 'gpt-4o-mini']) {
      const res = await postJson(server.url, '/v1/chat/completions', chat(model), free);
      expect(res.status, model).toBe(200);
    }
    // Not "Model access denied": the guide's grep for denials counts real ones only.
    expect(log.find('Model access denied')).toEqual([]);
    const wouldBe = log.find('would be refused (shadow mode');
    expect(wouldBe.map((e) => e.modelId).sort()).toEqual(['claude-3.5-sonnet', 'gpt-5']);
    for (const e of wouldBe) expect(e).toMatchObject({ enforced: false, userTier: 'free' });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/tier_checks_total\{result="shadow_denied"\} 2/);
    expect(metrics).toMatch(/tier_checks_total\{result="allowed"\} 1/);
    expect(metrics).not.toMatch(/tier_checks_total\{result="denied"\}/);
  });

  it('still shows access_status in listings (what enforcement would do)', async () => {
    const free = await loginToken(server.url, 'free@example.com');
    const res = await getJson(server.url, '/v1/models', free);
    expect(res.body.models.find((m: { id: string }) => m.id === 'gpt-5').access_status).toBe('upgrade_required');
  });
});

describe('login', () => {
  let server: RunningApp;
  beforeAll(async () => {
    // No LISTEN/NOTIFY listener: the last test drives the cache API by hand.
    server = await startApp(db(), { loginThrottle: { maxFailures: 3, windowMs: 60_000 }, changeListener: false });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('returns a bearer token with the user and their tier from the database', async () => {
    const res = await postJson(server.url, '/v1/auth/login', { email: 'pro@example.com', password: 'Password123!' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, user: { email: 'pro@example.com', tier: 'pro' } });
    expect(res.body.access_token.split('.')).toHaveLength(3);
    const payload = JSON.parse(Buffer.from(res.body.access_token.split('.')[1], 'base64url').toString());
    expect(payload).not.toHaveProperty('tier');
    expect(payload.exp - payload.iat).toBe(3600);
  });

  it('answers an unknown email and a wrong password with the same 401', async () => {
    const unknown = await postJson(server.url, '/v1/auth/login', { email: 'nobody@example.com', password: 'Password123!' });
    const wrong = await postJson(server.url, '/v1/auth/login', { email: 'enterprise@example.com', password: 'wrong' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, timestamp: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(unknown.body.code).toBe('invalid_credentials');
  });

  it('compares an unknown email against a dummy hash as costly as a real one', async () => {
    const { rows } = await db().pool.query<{ password_hash: string }>(`SELECT password_hash FROM users WHERE email = 'free@example.com'`);
    const dummy = DUMMY_HASH;
    expect(dummy).toMatch(/^\$2b\$/);
    expect(bcrypt.getRounds(dummy)).toBe(bcrypt.getRounds(rows[0]!.password_hash));
    expect(bcrypt.getRounds(dummy)).toBe(BCRYPT_COST);
  });

  it('throttles repeated failures for one email with 429 and Retry-After, even with the right password', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await postJson(server.url, '/v1/auth/login', { email: 'free@example.com', password: `guess-${i}` })).status).toBe(401);
    }
    const blocked = await postJson(server.url, '/v1/auth/login', { email: 'free@example.com', password: 'Password123!' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('too_many_login_attempts');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another account from the same address is not locked out.
    expect((await postJson(server.url, '/v1/auth/login', { email: 'pro@example.com', password: 'Password123!' })).status).toBe(200);
  });

  it('serves a subscription change at once after the tier cache is invalidated', async () => {
    const token = await loginToken(server.url, 'enterprise@example.com');
    expect((await postJson(server.url, '/v1/chat/completions', chat('gpt-5'), token)).status).toBe(200);
    const id = 'aaaaaaaa-bbbb-cccc-dddd-000000000003';
    await db().pool.query(`UPDATE subscriptions SET tier = 'free' WHERE user_id = $1`, [id]);
    try {
      // Cached for its TTL until told otherwise (what the LISTEN/NOTIFY listener does).
      expect((await postJson(server.url, '/v1/chat/completions', chat('gpt-5'), token)).status).toBe(200);
      server.app.caches.invalidateUserTier(id);
      const denied = await postJson(server.url, '/v1/chat/completions', chat('gpt-5'), token);
      expect(denied.status).toBe(403);
      expect(denied.body.details.user_tier).toBe('free');
    } finally {
      await db().pool.query(`UPDATE subscriptions SET tier = 'enterprise' WHERE user_id = $1`, [id]);
      server.app.caches.clearUserTiers();
    }
  });
});
