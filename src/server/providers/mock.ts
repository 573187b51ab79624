/**
 * The offline provider of the sandbox: deterministic answers, token counts from a fixed
 * rule, no network. "Hello" gets the guide's "Hello! How can I help you today?".
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { upstreamOk, type Completion, type CompletionRequest, type FinishReason, type Provider, type StreamEvent, type Usage } from './provider.js';

export const MOCK_GREETING = 'Hello! How can I help you today?';

export interface MockProviderOptions {
  /** Provider name it answers for (default `mock`). */
  readonly name?: string;
  /** Wait this long before answering and between streamed pieces (tests of in-flight requests). */
  readonly delayMs?: number;
}

/** Pieces of text, each one "token": a word or a punctuation mark with its leading space. */
export function mockTokens(text: string): string[] {
  return text.match(/\s*(?:[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_])/gu) ?? [];
}

const GREETING = /^\s*(hello|hi|hey)\b[\s!.,]*$/i;

/** The mock's reply to a prompt: the greeting for a greeting, otherwise a fixed echo. */
export function mockReply(prompt: string): string {
  if (GREETING.test(prompt)) return MOCK_GREETING;
  const shown = prompt.replace(/\s+/g, ' ').trim().slice(0, 200);
  return `This is a mock response to: ${shown}`;
}

function promptText(request: CompletionRequest): string {
  if (request.kind === 'text') return request.prompt;
  const lastUser = [...request.messages].reverse().find((m) => m.role === 'user');
  return lastUser?.content ?? '';
}

function answer(request: CompletionRequest): { pieces: string[]; finishReason: FinishReason; usage: Usage } {
  const all = mockTokens(mockReply(promptText(request)));
  const limit = request.maxTokens ?? Number.POSITIVE_INFINITY;
  const pieces = all.slice(0, Math.max(0, limit));
  const promptSource = request.kind === 'text' ? request.prompt : request.messages.map((m) => m.content).join('\n');
  // Chat formatting costs a few tokens per message, as with real models.
  const promptTokens = mockTokens(promptSource).length + (request.kind === 'chat' ? 4 * request.messages.length + 3 : 0);
  const completionTokens = pieces.length;
  return {
    pieces,
    finishReason: pieces.length < all.length ? 'length' : 'stop',
    usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
  };
}

async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return !signal.aborted;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

async function* streamPieces(request: CompletionRequest, delayMs: number): AsyncGenerator<StreamEvent> {
  const { pieces, finishReason, usage } = answer(request);
  for (const [i, text] of pieces.entries()) {
    if (i > 0 && !(await pause(delayMs, request.signal))) return;
    if (request.signal.aborted) return;
    yield { type: 'delta', text: i === 0 ? text.trimStart() : text };
  }
  yield { type: 'finish', finishReason, usage };
}

export function createMockProvider(options: MockProviderOptions = {}): Provider {
  const delayMs = options.delayMs ?? 0;
  return {
    name: options.name ?? 'mock',
    async complete(request) {
      await pause(delayMs, request.signal);
      const { pieces, finishReason, usage } = answer(request);
      const completion: Completion = { text: pieces.join('').trimStart(), finishReason, usage };
      return upstreamOk(completion);
    },
    async stream(request) {
      await pause(delayMs, request.signal);
      return upstreamOk(streamPieces(request, delayMs));
    },
  };
}
