/**
 * End to end through the app: a model whose provider is `openai-compatible`, served by a fake
 * upstream. The allowed user's answers come from the upstream (usage passed through), every
 * upstream failure is a 502 envelope, a denied user never reaches it, and the key never shows
 * up in a response or a log line.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configuredProviders } from '../../src/server/providers/configured-providers.js';
import { chat, loginToken, postJson } from '../helpers/api-client.js';
import { captureLog, type CapturedLog } from '../helpers/capture-log.js';
import { closedPort, startFakeUpstream, upstreamChatCompletion, upstreamChatStream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';

const KEY = 'sk-e2e-secret-key-7d41b09e';
const MODEL = 'upstream-pro';

const db = useTestDatabase('all');
let upstream: FakeUpstream;
let server: RunningApp;
let log: CapturedLog;
let pro: string;
let free: string;
const responses: string[] = [];

async function post(path: string, body: unknown, token: string) {
  const res = await postJson(server.url, path, body, token);
  responses.push(JSON.stringify(res.body));
  return res;
}

beforeAll(async () => {
  await seedSandbox(db());
  await db().pool.query(
    `INSERT INTO models (id, name, display_name, provider, is_available, credits_per_1k_tokens, required_tier, tier_restriction_mode, allowed_tiers)
     VALUES ($1, 'Upstream Pro', 'Upstream Pro', 'openai-compatible', true, 1, 'pro', 'minimum', ARRAY['pro','enterprise']::subscription_tier[])`,
    [MODEL],
  );
  upstream = await startFakeUpstream();
  log = captureLog('trace');
  const providers = configuredProviders({ openaiCompatibleBaseUrl: upstream.url, openaiCompatibleApiKey: KEY, openaiCompatibleTimeoutMs: 400 });
  server = await startApp(db(), { providers, logger: log.logger });
  pro = await loginToken(server.url, 'pro@example.com');
  free = await loginToken(server.url, 'free@example.com');
});
beforeEach(() => void upstream.hits.splice(0));
afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

describe('an openai-compatible model through the app', () => {
  it('answers the allowed user from the upstream, usage passed through, key sent as Bearer', async () => {
    upstream.behave({ kind: 'json', body: upstreamChatCompletion('Hi from upstream', { prompt_tokens: 21, completion_tokens: 4, total_tokens: 25 }) });
    const res = await post('/v1/chat/completions', chat(MODEL, 'Hello', { max_tokens: 20 }), pro);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: 'chat.completion',
      model: MODEL,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi from upstream' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 21, completion_tokens: 4, total_tokens: 25 },
    });
    expect(upstream.hits).toHaveLength(1);
    expect(upstream.hits[0]).toMatchObject({ path: '/v1/chat/completions', authorization: `Bearer ${KEY}`, body: { model: MODEL, max_tokens: 20 } });
  });

  it('streams the upstream chunks to the client, ending with data: [DONE]', async () => {
    upstream.behave({ kind: 'sse', writes: upstreamChatStream(['Str', 'eam', 'ed!'], { prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 }), gapMs: 10 });
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pro}`, 'content-type': 'application/json' },
      body: JSON.stringify(chat(MODEL, 'Hello', { stream: true, stream_options: { include_usage: true } })),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    responses.push(text);
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)));
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Streamed!');
    expect(chunks.filter((c) => c.choices[0]?.delta?.content).length).toBe(3);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1).usage).toEqual({ prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 });
    expect(upstream.hits[0]).toMatchObject({ authorization: `Bearer ${KEY}`, body: { stream: true } });
  });

  it('sends a failure after the first chunk as an error event, then data: [DONE]', async () => {
    upstream.behave({ kind: 'sse', writes: upstreamChatStream(['Hel']).slice(0, 2), reset: true });
    const res = await post('/v1/chat/completions', chat(MODEL, 'Hello', { stream: true }), pro);
    expect(res.status).toBe(200);
    const events = String(res.body._raw).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse(events[1]!.slice('data: '.length)).choices[0].delta.content).toBe('Hel');
    expect(JSON.parse(events.at(-2)!.slice('data: '.length))).toMatchObject({ code: 'upstream_error', error: { type: 'upstream_error', code: 'upstream_error' } });
  });

  it('answers a 502 envelope for upstream timeout, 500, malformed JSON, and keeps serving', async () => {
    const cases = [
      { behaviour: { kind: 'hang' } as const, code: 'upstream_timeout', message: 'The upstream did not answer within 400 ms' },
      { behaviour: { kind: 'json', status: 500, body: { error: { message: `boom ${KEY}` } } } as const, code: 'upstream_error', message: 'The upstream answered HTTP 500' },
      { behaviour: { kind: 'raw', text: '{"id": "chatcmpl-x", "choices": [{' } as const, code: 'upstream_error', message: "The upstream's answer was malformed" },
    ];
    for (const { behaviour, code, message } of cases) {
      upstream.behave(behaviour);
      for (const stream of [false, true]) {
        const res = await post('/v1/chat/completions', chat(MODEL, 'Hello', { stream }), pro);
        const what = `${behaviour.kind} stream=${stream}`;
        expect(res.status, what).toBe(502);
        expect(res.body, what).toMatchObject({ status: 'error', code, message, details: { provider: 'openai-compatible' }, error: { type: 'upstream_error', code } });
      }
    }
    upstream.behave({ kind: 'json', body: upstreamChatCompletion('still here') });
    const after = await post('/v1/chat/completions', chat(MODEL), pro);
    expect(after.status).toBe(200);
    expect(after.body.choices[0].message.content).toBe('still here');
  });

  it('answers 502 upstream_error when the upstream refuses connections', async () => {
    const other = await startApp(db(), { providers: configuredProviders({ openaiCompatibleBaseUrl: `http://127.0.0.1:${await closedPort()}`, openaiCompatibleApiKey: KEY }) });
    try {
      const token = await loginToken(other.url, 'pro@example.com');
      const res = await postJson(other.url, '/v1/chat/completions', chat(MODEL), token);
      responses.push(JSON.stringify(res.body));
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({ code: 'upstream_error', message: 'Cannot reach the upstream (ECONNREFUSED)', error: { type: 'upstream_error' } });
    } finally {
      await other.close();
    }
  });

  it('never lets a denied user reach the upstream', async () => {
    upstream.behave({ kind: 'json', body: upstreamChatCompletion('should not be seen') });
    for (const stream of [false, true]) {
      const res = await post('/v1/chat/completions', chat(MODEL, 'Hello', { stream }), free);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'model_access_restricted', message: 'Model access restricted: Requires Pro tier or higher' });
    }
    const text = await post('/v1/completions', { model: MODEL, prompt: 'Hello' }, free);
    expect(text.status).toBe(403);
    expect(upstream.hits).toHaveLength(0);
  });

  it('never shows the key in a response or a log line', async () => {
    expect(responses.length).toBeGreaterThan(8);
    for (const body of responses) expect(body).not.toContain(KEY);
    expect(log.find('Upstream provider failed').length).toBeGreaterThan(0);
    expect(log.text()).not.toContain(KEY);
    expect(log.text()).not.toContain(KEY.slice(3, 15));
  });
});
