/** The openai-compatible provider against a fake upstream: what it sends, what it reads, how it fails. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiCompatibleProvider, upstreamEndpoint } from '../../src/server/providers/openai-compatible.js';
import type { CompletionRequest, Provider, StreamEvent } from '../../src/server/providers/provider.js';
import { sseData } from '../../src/server/providers/sse-data.js';
import { closedPort, sseEvent, startFakeUpstream, upstreamChatCompletion, upstreamChatStream, type FakeUpstream } from '../helpers/fake-upstream.js';

const KEY = 'sk-test-provider-key-3f9a1c';

const chatRequest = (extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  model: 'upstream-pro',
  kind: 'chat',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hello' },
  ],
  prompt: '',
  maxTokens: 50,
  temperature: 0.2,
  user: 'user-1',
  signal: new AbortController().signal,
  ...extra,
});

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

let upstream: FakeUpstream;
let provider: Provider;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  provider = createOpenAiCompatibleProvider({ baseUrl: upstream.url, apiKey: KEY, timeoutMs: 300 });
});
afterEach(() => void upstream.hits.splice(0));
afterAll(async () => {
  await provider?.close?.();
  await upstream?.close();
});

describe('openai-compatible provider', () => {
  it('posts the chat request with the key as Bearer, and reads text, finish reason and usage', async () => {
    upstream.behave({ kind: 'json', body: upstreamChatCompletion('Hi there!', { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 }, 'length') });
    const result = await provider.complete(chatRequest());
    expect(result).toEqual({ ok: true, value: { text: 'Hi there!', finishReason: 'length', usage: { promptTokens: 12, completionTokens: 3, totalTokens: 15 } } });
    expect(upstream.hits).toHaveLength(1);
    const hit = upstream.hits[0]!;
    expect(hit).toMatchObject({ method: 'POST', path: '/v1/chat/completions', authorization: `Bearer ${KEY}` });
    expect(hit.body).toEqual({
      model: 'upstream-pro',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
      max_tokens: 50,
      temperature: 0.2,
      user: 'user-1',
    });
  });

  it('posts text completions to /v1/completions and does not double a /v1 in the base URL', async () => {
    const withV1 = createOpenAiCompatibleProvider({ baseUrl: `${upstream.url}/v1/`, timeoutMs: 300 });
    try {
      upstream.behave({ kind: 'json', body: { object: 'text_completion', choices: [{ index: 0, text: ' world', finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } } });
      const result = await withV1.complete(chatRequest({ kind: 'text', messages: [], prompt: 'hello' }));
      expect(result.ok && result.value.text).toBe(' world');
      expect(upstream.hits[0]).toMatchObject({ path: '/v1/completions', authorization: undefined, body: { prompt: 'hello' } });
    } finally {
      await withV1.close?.();
    }
    expect(upstreamEndpoint('https://gw.example/openai/v1?api-version=2')).toEqual({ origin: 'https://gw.example', prefix: '/openai/v1', search: '?api-version=2' });
    expect(upstreamEndpoint('https://gw.example')).toMatchObject({ prefix: '/v1' });
  });

  it('streams: asks for usage, yields each delta, then finish with the usage of the last chunk', async () => {
    upstream.behave({ kind: 'sse', writes: upstreamChatStream(['Hel', 'lo', ' there'], { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 }), gapMs: 5 });
    const started = await provider.stream(chatRequest());
    if (!started.ok) throw new Error(started.failure.message);
    expect(await collect(started.value)).toEqual([
      { type: 'delta', text: 'Hel' },
      { type: 'delta', text: 'lo' },
      { type: 'delta', text: ' there' },
      { type: 'finish', finishReason: 'stop', usage: { promptTokens: 4, completionTokens: 3, totalTokens: 7 } },
    ]);
    expect(upstream.hits[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('streams a whole JSON answer as one delta when the upstream ignored stream: true', async () => {
    upstream.behave({ kind: 'json', body: upstreamChatCompletion('All at once', { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 }) });
    const started = await provider.stream(chatRequest());
    if (!started.ok) throw new Error(started.failure.message);
    expect(await collect(started.value)).toEqual([
      { type: 'delta', text: 'All at once' },
      { type: 'finish', finishReason: 'stop', usage: { promptTokens: 2, completionTokens: 3, totalTokens: 5 } },
    ]);
    upstream.behave({ kind: 'raw', text: '{"choices": [' });
    expect(await provider.stream(chatRequest())).toEqual({ ok: false, failure: { code: 'upstream_error', message: "The upstream's answer was malformed" } });
  });

  it('reads SSE whatever the byte boundaries (CRLF, split lines, multi-byte characters, comments)', async () => {
    const text = ': keep-alive\r\ndata: {"a":"é"}\r\n\r\ndata: x\ndata: y\n\nevent: ping\ndata: [DONE]\n\n';
    const bytes = Buffer.from(text, 'utf8');
    async function* oneByteAtATime() {
      for (const b of bytes) yield Uint8Array.of(b);
    }
    const data: string[] = [];
    for await (const d of sseData(oneByteAtATime())) data.push(d);
    expect(data).toEqual(['{"a":"é"}', 'x\ny', '[DONE]']);
  });

  it('fails typed, never echoing the key: status, timeout, connection refused, malformed answers', async () => {
    upstream.behave({ kind: 'json', status: 500, body: { error: { message: `internal error for key ${KEY}` } } });
    expect(await provider.complete(chatRequest())).toEqual({ ok: false, failure: { code: 'upstream_error', message: 'The upstream answered HTTP 500', upstreamStatus: 500 } });
    const refusedStream = await provider.stream(chatRequest());
    expect(!refusedStream.ok && refusedStream.failure.upstreamStatus).toBe(500);

    upstream.behave({ kind: 'hang' });
    expect(await provider.complete(chatRequest())).toEqual({ ok: false, failure: { code: 'upstream_timeout', message: 'The upstream did not answer within 300 ms' } });
    expect(await provider.stream(chatRequest())).toMatchObject({ ok: false, failure: { code: 'upstream_timeout' } });

    upstream.behave({ kind: 'raw', text: '{"choices": [' });
    expect(await provider.complete(chatRequest())).toEqual({ ok: false, failure: { code: 'upstream_error', message: "The upstream's answer was malformed" } });
    upstream.behave({ kind: 'json', body: { choices: 'none' } });
    expect(await provider.complete(chatRequest())).toMatchObject({ ok: false, failure: { code: 'upstream_error' } });

    const nowhere = createOpenAiCompatibleProvider({ baseUrl: `http://127.0.0.1:${await closedPort()}`, apiKey: KEY, timeoutMs: 300 });
    try {
      expect(await nowhere.complete(chatRequest())).toEqual({ ok: false, failure: { code: 'upstream_error', message: 'Cannot reach the upstream (ECONNREFUSED)' } });
    } finally {
      await nowhere.close?.();
    }
  });

  it('turns failures after the first delta into an error event: reset, stall, bad chunk, upstream error, early end', async () => {
    const head = upstreamChatStream(['Hel']).slice(0, 2);
    const cases: [string, Parameters<FakeUpstream['behave']>[0], string][] = [
      ['reset', { kind: 'sse', writes: head, reset: true }, 'Cannot reach the upstream'],
      ['stall', { kind: 'sse', writes: [head.join(''), sseEvent({ choices: [] })], gapMs: 1_000 }, 'The upstream did not answer within 300 ms'],
      ['bad chunk', { kind: 'sse', writes: [...head, 'data: {not json\n\n'] }, "The upstream's stream chunk was malformed"],
      ['upstream error', { kind: 'sse', writes: [...head, sseEvent({ error: { message: KEY } })] }, 'The upstream reported an error mid-stream'],
      ['early end', { kind: 'sse', writes: head }, 'The upstream stream ended before it finished'],
    ];
    for (const [name, behaviour, message] of cases) {
      upstream.behave(behaviour);
      const started = await provider.stream(chatRequest());
      if (!started.ok) throw new Error(`${name}: ${started.failure.message}`);
      const events = await collect(started.value);
      expect(events[0], name).toEqual({ type: 'delta', text: 'Hel' });
      const last = events.at(-1);
      expect(last?.type, name).toBe('error');
      if (last?.type === 'error') expect(last.failure.message, name).toContain(message);
      expect(JSON.stringify(events)).not.toContain(KEY);
    }
  });

  it('aborting the signal ends the stream quietly and closes the upstream connection', async () => {
    upstream.behave({ kind: 'sse', writes: upstreamChatStream(['a', 'b', 'c', 'd', 'e', 'f']), gapMs: 100 });
    const controller = new AbortController();
    const started = await provider.stream(chatRequest({ signal: controller.signal }));
    if (!started.ok) throw new Error(started.failure.message);
    const events: StreamEvent[] = [];
    for await (const e of started.value) {
      events.push(e);
      if (e.type === 'delta') controller.abort();
    }
    expect(events).toEqual([{ type: 'delta', text: 'a' }]);
    await upstream.clientGone.at(-1);
  });
});
