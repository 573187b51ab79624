/**
 * Hostile input: forged and tampered tokens, look-alike model ids, wrong types, broken and
 * oversized bodies, injection-looking emails. None may give 200 for a model above the
 * caller's tier, none may give a 5xx, and none may reach a provider.
 */
import { SignJWT, base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_JWT_AUDIENCE, DEFAULT_JWT_ISSUER } from '../../src/server/app-options.js';
import { createProviderRegistry } from '../../src/server/providers/provider.js';
import { chat, getJson, loginToken, postJson } from '../helpers/api-client.js';
import { countingMockProvider } from '../helpers/counting-provider.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { TEST_JWT_SECRET, startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';

const FREE_ID = 'aaaaaaaa-bbbb-cccc-dddd-000000000001';
const ENTERPRISE_ID = 'aaaaaaaa-bbbb-cccc-dddd-000000000003';
const db = useTestDatabase('all');
const provider = countingMockProvider();
let server: RunningApp;
let freeToken: string;

beforeAll(async () => {
  await seedSandbox(db());
  server = await startApp(db(), { providers: createProviderRegistry([provider]), loginThrottle: { maxFailures: 1000, windowMs: 60_000 } });
  freeToken = await loginToken(server.url, 'free@example.com');
});
afterAll(async () => {
  await server?.close();
});

const enc = (o: object) => base64url.encode(JSON.stringify(o));
const now = () => Math.floor(Date.now() / 1000);
const claims = (sub: string, extra: object = {}) => ({ sub, iss: DEFAULT_JWT_ISSUER, aud: DEFAULT_JWT_AUDIENCE, iat: now(), exp: now() + 600, ...extra });
const sign = (payload: Record<string, unknown>, secret = TEST_JWT_SECRET, alg = 'HS256') =>
  new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(secret));

function expectNoAccess(status: number, what: string) {
  expect(status, what).not.toBe(200);
  expect(status, what).toBeLessThan(500);
}

describe('forged and tampered tokens', () => {
  const forged: [string, () => Promise<string>][] = [
    ['alg none', async () => `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims(ENTERPRISE_ID))}.`],
    ['alg none with a signature', async () => `${enc({ alg: 'none' })}.${enc(claims(ENTERPRISE_ID))}.${freeToken.split('.')[2]}`],
    ['sub edited to the enterprise user', async () => {
      const [h, , s] = freeToken.split('.');
      return `${h}.${enc(claims(ENTERPRISE_ID))}.${s}`;
    }],
    ['a tier claim added', async () => {
      const [h, p, s] = freeToken.split('.');
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as object;
      return `${h}.${enc({ ...payload, tier: 'enterprise' })}.${s}`;
    }],
    ['signed with another secret', () => sign(claims(ENTERPRISE_ID), 'another-secret-that-is-long-enough-0123456789')],
    ['HS512 with the right secret', () => sign(claims(ENTERPRISE_ID), TEST_JWT_SECRET, 'HS512')],
    ['expired', () => sign(claims(ENTERPRISE_ID, { iat: now() - 7200, exp: now() - 3600 }))],
    ['no exp', () => sign({ sub: ENTERPRISE_ID, iss: DEFAULT_JWT_ISSUER, aud: DEFAULT_JWT_AUDIENCE, iat: now() })],
    ['wrong issuer', () => sign(claims(ENTERPRISE_ID, { iss: 'someone-else' }))],
    ['wrong audience', () => sign(claims(ENTERPRISE_ID, { aud: 'another-api' }))],
    ['sub not a user id', () => sign(claims("' OR 1=1 --"))],
    ['sub of a user that does not exist', () => sign(claims('aaaaaaaa-bbbb-cccc-dddd-0000000000ff'))],
    ['garbage', async () => 'not.a.jwt'],
    ['huge (8 kB)', async () => 'a'.repeat(8_000)],
  ];
  for (const [name, make] of forged) {
    it(`refuses a token that is ${name} with 401`, async () => {
      const token = await make();
      const calls = provider.calls.length;
      const res = await postJson(server.url, '/v1/chat/completions', chat('gpt-5'), token);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_token');
      expect(provider.calls.length).toBe(calls);
      expect((await getJson(server.url, '/v1/models', token)).status).toBe(401);
    });
  }

  it('takes the tier from the database, not from a validly signed token claiming enterprise', async () => {
    const token = await sign(claims(FREE_ID, { tier: 'enterprise', user_tier: 'enterprise', role: 'admin' }));
    const res = await postJson(server.url, '/v1/chat/completions', chat('gpt-5'), token);
    expect(res.status).toBe(403);
    expect(res.body.details.user_tier).toBe('free');
    expect((await getJson(server.url, '/v1/models', token)).body.user_tier).toBe('free');
  });

  it('refuses other authorization schemes and missing tokens', async () => {
    for (const header of ['Basic Zm9vOmJhcg==', `bearer${freeToken}`, `Token ${freeToken}`, `Bearer ${freeToken} extra`]) {
      const res = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: header, 'content-type': 'application/json' }, body: JSON.stringify(chat('gpt-4o-mini')) });
      expect(res.status, header.slice(0, 20)).toBe(401);
    }
    const none = await postJson(server.url, '/v1/chat/completions', chat('gpt-4o-mini'));
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('missing_token');
  });
});

describe('model ids that look like a restricted one', () => {
  const lookAlikes = ['GPT-5', 'Gpt-5', 'gpt-5 ', ' gpt-5', 'gpt-5\n', 'gpt-5\t', 'gpt-5\u0000', '\u0000gpt-5', 'gpt\u20105', 'gpt\u22125', 'g\u0440t-5', 'ｇｐｔ-５', 'gpt-5\u200b', '\ufeffgpt-5', 'gpt-5\u00a0', 'gpt-5/', 'gpt-5%00', "gpt-5' OR '1'='1", 'claude-3.5-sonnet\u0000', 'CLAUDE-3.5-SONNET'];
  for (const id of lookAlikes) {
    it(`${JSON.stringify(id)} is an unknown model (404), never a way around the tier`, async () => {
      const calls = provider.calls.length;
      const res = await postJson(server.url, '/v1/chat/completions', chat(id), freeToken);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('model_not_found');
      const text = await postJson(server.url, '/v1/completions', { model: id, prompt: 'Hello' }, freeToken);
      expect(text.status).toBe(404);
      expect(provider.calls.length).toBe(calls);
    });
  }
});

describe('malformed bodies', () => {
  const bodies: [string, unknown][] = [
    ['model as a number', { model: 5, messages: [{ role: 'user', content: 'Hi' }] }],
    ['model null', { model: null, messages: [{ role: 'user', content: 'Hi' }] }],
    ['model as an array', { model: ['gpt-5'], messages: [{ role: 'user', content: 'Hi' }] }],
    ['model as an object', { model: { id: 'gpt-5' }, messages: [{ role: 'user', content: 'Hi' }] }],
    ['model true', { model: true, messages: [{ role: 'user', content: 'Hi' }] }],
    ['model empty', { model: '', messages: [{ role: 'user', content: 'Hi' }] }],
    ['no model', { messages: [{ role: 'user', content: 'Hi' }] }],
    ['no messages', { model: 'gpt-5' }],
    ['messages not an array', { model: 'gpt-5', messages: 'Hello' }],
    ['an unknown role', { model: 'gpt-5', messages: [{ role: 'root', content: 'Hi' }] }],
    ['stream as a string', { model: 'gpt-5', messages: [{ role: 'user', content: 'Hi' }], stream: 'true' }],
    ['max_tokens negative', { model: 'gpt-5', messages: [{ role: 'user', content: 'Hi' }], max_tokens: -1 }],
    ['broken JSON', '{"model": "gpt-5", "messages": ['],
    ['empty body', ''],
    ['JSON null', 'null'],
    ['a JSON array', '[{"model":"gpt-5"}]'],
    ['__proto__ pollution', '{"model":"gpt-5","messages":[{"role":"user","content":"Hi"}],"__proto__":{"isAdmin":true}}'],
  ];
  for (const [name, body] of bodies) {
    it(`answers ${name} with a 4xx envelope and no provider call`, async () => {
      const calls = provider.calls.length;
      const res = await postJson(server.url, '/v1/chat/completions', body, freeToken);
      expectNoAccess(res.status, name);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 'error', error: { type: 'invalid_request_error' } });
      expect(provider.calls.length).toBe(calls);
    });
  }

  it('answers a multi-megabyte body with 413', async () => {
    const huge = { model: 'gpt-5', messages: [{ role: 'user', content: 'x'.repeat(3 * 1024 * 1024) }] };
    const res = await postJson(server.url, '/v1/chat/completions', huge, freeToken);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
  });

  it('answers a body that is not JSON with 415', async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${freeToken}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'model=gpt-5' });
    expect(res.status).toBe(415);
  });
});

describe('login with hostile emails', () => {
  const emails: unknown[] = ["' OR 1=1 --", "free@example.com' --", 'free@example.com\u0000', "free@example.com'; DROP TABLE users; --", 'FREE@EXAMPLE.COM', { $ne: null }, ['free@example.com'], 'a'.repeat(5000), '%', '*'];
  for (const email of emails) {
    it(`never logs in as someone with email ${JSON.stringify(email).slice(0, 40)}`, async () => {
      const res = await postJson(server.url, '/v1/auth/login', { email, password: 'Password123!' });
      expectNoAccess(res.status, String(email));
      expect([400, 401]).toContain(res.status);
      expect(res.body).not.toHaveProperty('access_token');
    });
  }

  it('still has its users table and answers /health afterwards', async () => {
    const { rows } = await db().pool.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    expect(rows[0]!.n).toBe(3);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
