/**
 * OpenAI's success shapes: `chat.completion`, `text_completion`, and their streamed chunks.
 */
import { randomBytes } from 'node:crypto';
import type { Completion, FinishReason, Usage } from '../providers/provider.js';

export type Kind = 'chat' | 'text';

export interface ResponseIdentity {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export function responseIdentity(kind: Kind, model: string, now: Date): ResponseIdentity {
  const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomBytes(12).toString('base64url')}`;
  return { id, created: Math.floor(now.getTime() / 1000), model };
}

export const usageBody = (u: Usage) => ({ prompt_tokens: u.promptTokens, completion_tokens: u.completionTokens, total_tokens: u.totalTokens });

export function completionBody(kind: Kind, who: ResponseIdentity, completion: Completion): Record<string, unknown> {
  const choice =
    kind === 'chat'
      ? { index: 0, message: { role: 'assistant', content: completion.text, refusal: null }, logprobs: null, finish_reason: completion.finishReason }
      : { text: completion.text, index: 0, logprobs: null, finish_reason: completion.finishReason };
  return {
    id: who.id,
    object: kind === 'chat' ? 'chat.completion' : 'text_completion',
    created: who.created,
    model: who.model,
    choices: [choice],
    usage: usageBody(completion.usage),
  };
}

/** One streamed chunk: a text piece (`text`), the first chunk (role only) or the final one (`finish`). */
export function chunkBody(kind: Kind, who: ResponseIdentity, piece: { text?: string; role?: boolean; finish?: FinishReason }): Record<string, unknown> {
  const finish = piece.finish ?? null;
  const choice =
    kind === 'chat'
      ? {
          index: 0,
          delta: piece.role ? { role: 'assistant', content: '' } : piece.text !== undefined ? { content: piece.text } : {},
          logprobs: null,
          finish_reason: finish,
        }
      : { text: piece.text ?? '', index: 0, logprobs: null, finish_reason: finish };
  return { id: who.id, object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', created: who.created, model: who.model, choices: [choice] };
}

/** The usage-only chunk sent last when `stream_options.include_usage` is set. */
export function usageChunk(kind: Kind, who: ResponseIdentity, usage: Usage): Record<string, unknown> {
  return {
    id: who.id,
    object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion',
    created: who.created,
    model: who.model,
    choices: [],
    usage: usageBody(usage),
  };
}
