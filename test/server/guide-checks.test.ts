/**
 * The deployment guide's post-deployment tests 2-8, against a live server on a migrated and
 * seeded database (test 1 is the database check, covered by the seed tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOCK_GREETING } from '../../src/server/providers/mock.js';
import { chat, getJson, loginToken, postJson } from '../helpers/api-client.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('all');
let server: RunningApp;
const tokens: Record<'free' | 'pro' | 'enterprise', string> = { free: '', pro: '', enterprise: '' };

beforeAll(async () => {
  await seedSandbox(db());
  server = await startApp(db());
  for (const tier of ['free', 'pro', 'enterprise'] as const) tokens[tier] = await loginToken(server.url, `${tier}@example.com`);
});
afterAll(async () => {
  await server?.close();
});

const statusOf = (models: { id: string; access_status?: string }[]) => Object.fromEntries(models.map((m) => [m.id, m.access_status]));

describe("the guide's post-deployment tests", () => {
  it('test 2: a free user lists the models with their tier and upgrade_required where denied', async () => {
    const res = await getJson(server.url, '/v1/models', tokens.free);
    expect(res.status).toBe(200);
    expect(res.body.user_tier).toBe('free');
    expect(res.body.total).toBe(res.body.models.length);
    const gpt5 = res.body.models.find((m: { id: string }) => m.id === 'gpt-5');
    expect(gpt5).toMatchObject({ id: 'gpt-5', name: 'GPT-5', required_tier: 'enterprise', access_status: 'upgrade_required' });
    expect(statusOf(res.body.models)).toEqual({
      'gpt-5': 'upgrade_required',
      'claude-3.5-sonnet': 'upgrade_required',
      'gemini-2.0-pro': 'upgrade_required',
      'gpt-4o-mini': 'allowed',
    });
  });

  it("test 3: a free user asking for a Pro model gets 403 with the guide's body", async () => {
    const res = await postJson(server.url, '/v1/chat/completions', chat('claude-3.5-sonnet'), tokens.free);
    expect(res.status).toBe(403);
    const { error, timestamp, ...guideBody } = res.body;
    expect(guideBody).toEqual({
      status: 'error',
      code: 'model_access_restricted',
      message: 'Model access restricted: Requires Pro tier or higher',
      details: { model_id: 'claude-3.5-sonnet', user_tier: 'free', required_tier: 'pro', upgrade_url: '/subscriptions/upgrade' },
    });
    expect(new Date(timestamp).toISOString()).toBe(timestamp);
    expect(error).toMatchObject({ message: 'Model access restricted: Requires Pro tier or higher', code: 'model_access_restricted' });
  });

  it('test 4: a pro user sees Pro models allowed and the Enterprise one upgrade_required', async () => {
    const res = await getJson(server.url, '/v1/models', tokens.pro);
    expect(res.status).toBe(200);
    expect(res.body.user_tier).toBe('pro');
    expect(statusOf(res.body.models)).toMatchObject({ 'gpt-5': 'upgrade_required', 'claude-3.5-sonnet': 'allowed', 'gemini-2.0-pro': 'allowed' });
  });

  it('test 5: a pro user gets a chat completion from a Pro model', async () => {
    const res = await postJson(server.url, '/v1/chat/completions', chat('claude-3.5-sonnet', 'Hello', { max_tokens: 50 }), tokens.pro);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'chat.completion', model: 'claude-3.5-sonnet' });
    expect(res.body.id).toMatch(/^chatcmpl-/);
    expect(res.body.choices[0].message).toEqual({ role: 'assistant', content: MOCK_GREETING, refusal: null });
    const usage = res.body.usage;
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.completion_tokens).toBeGreaterThan(0);
  });

  it('test 6: an enterprise user sees every model allowed and can use gpt-5', async () => {
    const res = await getJson(server.url, '/v1/models', tokens.enterprise);
    expect(res.body.user_tier).toBe('enterprise');
    expect(res.body.models.length).toBeGreaterThanOrEqual(3);
    for (const m of res.body.models) expect(m.access_status).toBe('allowed');
    const done = await postJson(server.url, '/v1/chat/completions', chat('gpt-5'), tokens.enterprise);
    expect(done.status).toBe(200);
  });

  it('test 7: the 403 is application/json with every field of the error format', async () => {
    const res = await postJson(server.url, '/v1/chat/completions', chat('gpt-5', 'Test'), tokens.free);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(res.body).slice(0, 5)).toEqual(['status', 'code', 'message', 'details', 'timestamp']);
    expect(res.body.message).toBe('Model access restricted: Requires Enterprise tier or higher');
    expect(res.body.details).toEqual({ model_id: 'gpt-5', user_tier: 'free', required_tier: 'enterprise', upgrade_url: '/subscriptions/upgrade' });
  });

  it('test 8: an anonymous listing still works, keeps the old fields and adds the tier ones', async () => {
    const res = await getJson(server.url, '/v1/models');
    expect(res.status).toBe(200);
    expect(res.body.user_tier).toBeNull();
    expect(res.body.object).toBe('list');
    expect(res.body.data.map((m: { id: string }) => m.id).sort()).toEqual(res.body.models.map((m: { id: string }) => m.id).sort());
    for (const m of res.body.models) {
      expect(m).toHaveProperty('id');
      expect(m).toHaveProperty('name');
      expect(m).toHaveProperty('provider');
      expect(Array.isArray(m.capabilities)).toBe(true);
      expect(m).toHaveProperty('required_tier');
      expect(m).toHaveProperty('tier_restriction_mode');
      expect(Array.isArray(m.allowed_tiers)).toBe(true);
      expect(m).not.toHaveProperty('access_status');
    }
  });

  it('the text completions endpoint enforces the same policy', async () => {
    const denied = await postJson(server.url, '/v1/completions', { model: 'gemini-2.0-pro', prompt: 'Hello' }, tokens.free);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe('Model access restricted: Requires Pro tier or higher');
    const ok = await postJson(server.url, '/v1/completions', { model: 'gemini-2.0-pro', prompt: 'Hello' }, tokens.pro);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ object: 'text_completion', model: 'gemini-2.0-pro' });
    expect(ok.body.choices[0]).toMatchObject({ text: MOCK_GREETING, index: 0, finish_reason: 'stop' });
  });
});
