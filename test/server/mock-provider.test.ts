import { describe, expect, it } from 'vitest';
import { createMockProvider, MOCK_GREETING, mockTokens } from '../../src/server/providers/mock.js';
import type { CompletionRequest, StreamEvent } from '../../src/server/providers/provider.js';

const request = (content: string, extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  model: 'm',
  kind: 'chat',
  messages: [{ role: 'user', content }],
  prompt: '',
  signal: new AbortController().signal,
  ...extra,
});

describe('mock provider', () => {
  it('answers "Hello" with the guide\'s greeting, deterministically, with consistent usage', async () => {
    const p = createMockProvider();
    const a = await p.complete(request('Hello'));
    const b = await p.complete(request('Hello'));
    expect(a).toEqual(b);
    if (!a.ok) throw new Error('failed');
    expect(a.value.text).toBe(MOCK_GREETING);
    expect(a.value.finishReason).toBe('stop');
    expect(a.value.usage.completionTokens).toBe(mockTokens(MOCK_GREETING).length);
    expect(a.value.usage.totalTokens).toBe(a.value.usage.promptTokens + a.value.usage.completionTokens);
  });

  it('stops at max_tokens with finish_reason length', async () => {
    const r = await createMockProvider().complete(request('Hello', { maxTokens: 2 }));
    expect(r.ok && r.value).toMatchObject({ text: 'Hello!', finishReason: 'length', usage: { completionTokens: 2 } });
  });

  it('streams deltas that add up to the completion, then finish', async () => {
    const p = createMockProvider();
    const started = await p.stream(request('What is the tier of gpt-5?'));
    if (!started.ok) throw new Error('failed');
    const events: StreamEvent[] = [];
    for await (const e of started.value) events.push(e);
    const done = await p.complete(request('What is the tier of gpt-5?'));
    const text = events.map((e) => (e.type === 'delta' ? e.text : '')).join('');
    expect(done.ok && done.value.text).toBe(text);
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it('ends a stream without error when the signal aborts', async () => {
    const controller = new AbortController();
    const p = createMockProvider({ delayMs: 20 });
    const started = await p.stream(request('Hello', { signal: controller.signal }));
    if (!started.ok) throw new Error('failed');
    const events: StreamEvent[] = [];
    for await (const e of started.value) {
      events.push(e);
      controller.abort();
    }
    expect(events).toHaveLength(1);
  });
});
