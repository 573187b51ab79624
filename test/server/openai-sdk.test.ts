/** The official `openai` SDK as the client: what OpenAI-compatible tools will do. */
import OpenAI, { AuthenticationError, NotFoundError, PermissionDeniedError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOCK_GREETING } from '../../src/server/providers/mock.js';
import { loginToken } from '../helpers/api-client.js';
import { seedSandbox } from '../helpers/sandbox.js';
import { startApp, type RunningApp } from '../helpers/server.js';
import { useTestDatabase } from '../helpers/test-database.js';

const db = useTestDatabase('all');
let server: RunningApp;
let free: OpenAI;
let pro: OpenAI;

const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 10_000 });

beforeAll(async () => {
  await seedSandbox(db());
  server = await startApp(db());
  free = client(await loginToken(server.url, 'free@example.com'));
  pro = client(await loginToken(server.url, 'pro@example.com'));
});
afterAll(async () => {
  await server?.close();
});

describe('the openai SDK against tierctl serve', () => {
  it('lists the models', async () => {
    const ids: string[] = [];
    for await (const model of free.models.list()) ids.push(model.id);
    expect(ids.sort()).toEqual(['claude-3.5-sonnet', 'gemini-2.0-pro', 'gpt-4o-mini', 'gpt-5']);
  });

  it('gets a chat completion with usage', async () => {
    const completion = await pro.chat.completions.create({ model: 'claude-3.5-sonnet', messages: [{ role: 'user', content: 'Hello' }] });
    expect(completion.choices[0]?.message.content).toBe(MOCK_GREETING);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));
  });

  it('streams a chat completion that adds up to the same answer', async () => {
    const stream = await pro.chat.completions.create({
      model: 'claude-3.5-sonnet',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(MOCK_GREETING);
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('streams a text completion', async () => {
    const stream = await pro.completions.create({ model: 'gemini-2.0-pro', prompt: 'Hello', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(MOCK_GREETING);
  });

  it("raises PermissionDeniedError with the guide's message on a tier denial", async () => {
    const attempt = free.chat.completions.create({ model: 'claude-3.5-sonnet', messages: [{ role: 'user', content: 'Hello' }] });
    const error = await attempt.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PermissionDeniedError);
    const denied = error as PermissionDeniedError;
    expect(denied.status).toBe(403);
    expect(denied.message).toContain('Model access restricted: Requires Pro tier or higher');
    expect(denied.code).toBe('model_access_restricted');
  });

  it('a denied stream request is a PermissionDeniedError too, before any chunk', async () => {
    await expect(free.chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: 'Hello' }], stream: true })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });

  it('raises NotFoundError for an unknown model and AuthenticationError for a bad key', async () => {
    await expect(pro.chat.completions.create({ model: 'GPT-5', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toBeInstanceOf(NotFoundError);
    await expect(client('not-a-token').models.list()).rejects.toBeInstanceOf(AuthenticationError);
  });
});
