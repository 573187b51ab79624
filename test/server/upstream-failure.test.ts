/** Upstream failures: 502 with the provider's code before the first byte; an error event after it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderRegistry, upstreamErr, upstreamOk, type Provider, type StreamEvent } from '../../src/server/providers/provider.js';
import { chat, loginToken, postJson } from '../helpers/api-client.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';

const failing: Provider = {
  name: 'mock',
  complete: async () => upstreamErr({ code: 'upstream_timeout', message: 'The upstream did not answer within 30 s' }),
  async stream(request) {
    if (request.messages[0]?.content === 'fail early') return upstreamErr({ code: 'upstream_error', message: 'Upstream answered 500', upstreamStatus: 500 });
    async function* events(): AsyncGenerator<StreamEvent> {
      yield { type: 'delta', text: 'Hel' };
      yield { type: 'error', failure: { code: 'upstream_error', message: 'Upstream connection reset' } };
    }
    return upstreamOk(events());
  },
};

const db = useTestDatabase('all');
let server: RunningApp;
let pro: string;
beforeAll(async () => {
  await seedSandbox(db());
  await db().pool.query(`UPDATE models SET provider = 'nowhere' WHERE id = 'gemini-2.0-pro'`);
  server = await startApp(db(), { providers: createProviderRegistry([failing]) });
  pro = await loginToken(server.url, 'pro@example.com');
});
afterAll(async () => {
  await server?.close();
});

describe('upstream failures', () => {
  it('answers 502 with the provider failure code', async () => {
    const res = await postJson(server.url, '/v1/chat/completions', chat('claude-3.5-sonnet'), pro);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'upstream_timeout', message: 'The upstream did not answer within 30 s', details: { provider: 'mock' } });
    const early = await postJson(server.url, '/v1/chat/completions', chat('claude-3.5-sonnet', 'fail early', { stream: true }), pro);
    expect(early.status).toBe(502);
    expect(early.body).toMatchObject({ code: 'upstream_error', details: { upstream_status: 500 } });
  });

  it('sends a mid-stream failure as an error event, then [DONE], and records its code', async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pro}`, 'content-type': 'application/json' },
      body: JSON.stringify(chat('claude-3.5-sonnet', 'Hello', { stream: true })),
    });
    expect(res.status).toBe(200);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const error = JSON.parse(events.at(-2)!.slice('data: '.length));
    expect(error.error).toMatchObject({ code: 'upstream_error', message: 'Upstream connection reset' });
    await server.close();
    const { rows } = await db().pool.query(`SELECT status_code, error_code FROM api_logs WHERE path = '/v1/chat/completions' ORDER BY id`);
    expect(rows.map((r) => [r.status_code, r.error_code])).toEqual([
      [502, 'upstream_timeout'],
      [502, 'upstream_error'],
      [200, 'upstream_error'],
    ]);
  });
});

describe('a model whose provider has no upstream', () => {
  it('is a 502 provider_not_configured, never a silent pass', async () => {
    const other = await startApp(db());
    try {
      const token = await loginToken(other.url, 'pro@example.com');
      const res = await postJson(other.url, '/v1/chat/completions', chat('gemini-2.0-pro'), token);
      expect(res.status).toBe(502);
      expect(res.body.code).toBe('provider_not_configured');
    } finally {
      await other.close();
    }
  });
});

describe('an unavailable model', () => {
  it('is not listed, and asking for it is a 400 model_unavailable that reaches no provider', async () => {
    await db().pool.query(`UPDATE models SET is_available = false WHERE id = 'gpt-4o-mini'`);
    const other = await startApp(db(), { providers: createProviderRegistry([failing]) });
    try {
      const token = await loginToken(other.url, 'pro@example.com');
      const listing = await fetch(`${other.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
      const ids = ((await listing.json()) as { models: { id: string }[] }).models.map((m) => m.id);
      expect(ids).not.toContain('gpt-4o-mini');
      const res = await postJson(other.url, '/v1/chat/completions', chat('gpt-4o-mini'), token);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('model_unavailable');
    } finally {
      await other.close();
      await db().pool.query(`UPDATE models SET is_available = true WHERE id = 'gpt-4o-mini'`);
    }
  });
});
