/**
 * OpenAI's wire format as an openai-compatible upstream speaks it: the request body we send,
 * and the parts of its answers (whole completions, streamed chunks) we read. Anything that
 * does not have the expected shape is `undefined`: the caller reports a malformed answer.
 */
import type { Completion, CompletionRequest, FinishReason, Usage } from './provider.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** The body POSTed to `/v1/chat/completions` (chat) or `/v1/completions` (text). */
export function wireBody(request: CompletionRequest, stream: boolean): Json {
  const input =
    request.kind === 'chat'
      ? { messages: request.messages.map((m) => ({ role: m.role, content: m.content, ...(m.name ? { name: m.name } : {}) })) }
      : { prompt: request.prompt };
  return {
    model: request.model,
    ...input,
    ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { top_p: request.topP } : {}),
    ...(request.stop !== undefined ? { stop: request.stop } : {}),
    ...(request.user !== undefined ? { user: request.user } : {}),
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

const FINISH_REASONS: readonly FinishReason[] = ['stop', 'length', 'content_filter', 'tool_calls'];

/** OpenAI's finish_reason, `function_call` read as `tool_calls`; anything else is `stop`. */
export function finishReasonOf(value: unknown): FinishReason {
  if (value === 'function_call') return 'tool_calls';
  return FINISH_REASONS.includes(value as FinishReason) ? (value as FinishReason) : 'stop';
}

/** `usage` as sent (`undefined` when absent; `null` when present but not token counts). */
export function usageOf(value: unknown): Usage | null | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || !isCount(value.prompt_tokens) || !isCount(value.completion_tokens)) return null;
  const total = isCount(value.total_tokens) ? value.total_tokens : value.prompt_tokens + value.completion_tokens;
  return { promptTokens: value.prompt_tokens, completionTokens: value.completion_tokens, totalTokens: total };
}

/** The text of the first choice: `message.content` (chat, null when empty) or `text`. */
function choiceText(kind: CompletionRequest['kind'], choice: Json): string | undefined {
  if (kind === 'text') return typeof choice.text === 'string' ? choice.text : undefined;
  if (!isObject(choice.message)) return undefined;
  const content = choice.message.content;
  return typeof content === 'string' ? content : content === null || content === undefined ? '' : undefined;
}

/** A whole `chat.completion` / `text_completion`; usage absent is counted as zero. */
export function parseCompletion(kind: CompletionRequest['kind'], body: unknown): Completion | undefined {
  if (!isObject(body) || !Array.isArray(body.choices) || !isObject(body.choices[0])) return undefined;
  const choice = body.choices[0];
  const text = choiceText(kind, choice);
  const usage = usageOf(body.usage);
  if (text === undefined || usage === null) return undefined;
  return { text, finishReason: finishReasonOf(choice.finish_reason), usage: usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 } };
}

export interface WireChunk {
  readonly text: string;
  readonly finishReason?: FinishReason;
  readonly usage?: Usage;
  /** The upstream reported an error inside the stream. */
  readonly error?: true;
}

/** One streamed chunk: its text piece, finish reason and usage (each when present). */
export function parseChunk(kind: CompletionRequest['kind'], body: unknown): WireChunk | undefined {
  if (!isObject(body)) return undefined;
  if (body.error !== undefined) return { text: '', error: true };
  if (body.choices !== undefined && !Array.isArray(body.choices)) return undefined;
  const usage = usageOf(body.usage);
  if (usage === null) return undefined;
  const choice: unknown = (body.choices as unknown[] | undefined)?.[0];
  if (choice === undefined) return { text: '', ...(usage ? { usage } : {}) };
  if (!isObject(choice)) return undefined;
  const piece = kind === 'chat' ? (isObject(choice.delta) ? choice.delta.content : undefined) : choice.text;
  if (piece !== undefined && piece !== null && typeof piece !== 'string') return undefined;
  const finish = choice.finish_reason;
  return {
    text: piece ?? '',
    ...(finish !== undefined && finish !== null ? { finishReason: finishReasonOf(finish) } : {}),
    ...(usage ? { usage } : {}),
  };
}
