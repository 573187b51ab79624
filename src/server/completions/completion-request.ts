/** Turns a validated request body into the provider-neutral CompletionRequest. */
import type { ChatMessage, CompletionRequest } from '../providers/provider.js';
import type { ChatBody, TextBody } from './completion-schemas.js';

const textOf = (content: ChatBody['messages'][number]['content']): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((p) => (p.type === 'text' ? (p.text ?? '') : '')).join('') : '';

const roleOf = (role: string): ChatMessage['role'] => (role === 'function' ? 'tool' : (role as ChatMessage['role']));

function optional(body: ChatBody | TextBody, maxTokens: number | null | undefined) {
  const stop = body.stop === null || body.stop === undefined ? undefined : typeof body.stop === 'string' ? [body.stop] : body.stop;
  return {
    ...(maxTokens != null ? { maxTokens } : {}),
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { topP: body.top_p } : {}),
    ...(stop ? { stop } : {}),
  };
}

export function chatRequest(body: ChatBody, userId: string, signal: AbortSignal): CompletionRequest {
  return {
    model: body.model,
    kind: 'chat',
    messages: body.messages.map((m) => ({ role: roleOf(m.role), content: textOf(m.content), ...(m.name ? { name: m.name } : {}) })),
    prompt: '',
    ...optional(body, body.max_completion_tokens ?? body.max_tokens),
    user: userId,
    signal,
  };
}

export function textRequest(body: TextBody, userId: string, signal: AbortSignal): CompletionRequest {
  return {
    model: body.model,
    kind: 'text',
    messages: [],
    prompt: typeof body.prompt === 'string' ? body.prompt : (body.prompt[0] ?? ''),
    ...optional(body, body.max_tokens),
    user: userId,
    signal,
  };
}
