/**
 * What the server asks of an LLM upstream. A provider never sees a request that the tier
 * policy denied: the routes decide first, then call `complete` or `stream`.
 *
 * Streaming contract: `stream` resolves once the upstream has accepted the request (a
 * refusal before the first byte is an `UpstreamFailure`, answered as 502). The events are
 * provider-neutral text deltas; the server frames them as OpenAI `chat.completion.chunk` /
 * `text_completion` SSE events and ends with `data: [DONE]`. A failure after the first
 * delta arrives as an `error` event (the stream cannot become a 502 any more); the
 * iterable ends after `finish` or `error`. Aborting `signal` (client gone, shutdown)
 * must stop the upstream work and end the iterable without throwing.
 */

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant' | 'tool' | 'developer';
  /** Text content (array content parts are flattened to their text by the route). */
  readonly content: string;
  readonly name?: string;
}

export interface CompletionRequest {
  /** The model id as stored in `models.id` (already matched exactly). */
  readonly model: string;
  /** `chat` for /v1/chat/completions (messages), `text` for /v1/completions (prompt). */
  readonly kind: 'chat' | 'text';
  readonly messages: readonly ChatMessage[];
  /** For `text`: the prompt; for `chat`: unused (empty string). */
  readonly prompt: string;
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stop?: readonly string[];
  /** The caller's user id, passed on as OpenAI's `user` field by upstreams that take it. */
  readonly user?: string;
  readonly signal: AbortSignal;
}

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls';

export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

export interface Completion {
  readonly text: string;
  readonly finishReason: FinishReason;
  readonly usage: Usage;
}

/** Why the upstream did not answer; the route answers 502 with `code` (504 never: always 502). */
export interface UpstreamFailure {
  /** `upstream_error` (bad status, bad body, connection refused), `upstream_timeout`, `provider_not_configured`. */
  readonly code: 'upstream_error' | 'upstream_timeout' | 'provider_not_configured';
  /** Safe to show to the client and to log: never the key, never the upstream's raw body. */
  readonly message: string;
  /** The upstream's HTTP status when there was one. */
  readonly upstreamStatus?: number;
}

export type StreamEvent =
  | { readonly type: 'delta'; readonly text: string }
  | { readonly type: 'finish'; readonly finishReason: FinishReason; readonly usage?: Usage }
  | { readonly type: 'error'; readonly failure: UpstreamFailure };

export type UpstreamResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: UpstreamFailure };

export interface Provider {
  /** The `models.provider` value this provider serves, e.g. `mock`. */
  readonly name: string;
  complete(request: CompletionRequest): Promise<UpstreamResult<Completion>>;
  stream(request: CompletionRequest): Promise<UpstreamResult<AsyncIterable<StreamEvent>>>;
  /** Releases connections (called when the app closes). */
  close?(): Promise<void>;
}

/** Which provider answers a model's `provider` value. */
export interface ProviderRegistry {
  get(providerName: string): Provider | undefined;
  close(): Promise<void>;
}

/**
 * A registry over `providers`, keyed by `name`. `fallback` (when given) answers models whose
 * provider has no entry, e.g. every model goes to one openai-compatible gateway.
 */
export function createProviderRegistry(providers: readonly Provider[], fallback?: Provider): ProviderRegistry {
  const byName = new Map(providers.map((p) => [p.name, p]));
  return {
    get: (name) => byName.get(name) ?? fallback,
    async close() {
      const all = new Set([...byName.values(), ...(fallback ? [fallback] : [])]);
      await Promise.all([...all].map((p) => p.close?.()));
    },
  };
}

export const upstreamOk = <T>(value: T): UpstreamResult<T> => ({ ok: true, value });
export const upstreamErr = (failure: UpstreamFailure): UpstreamResult<never> => ({ ok: false, failure });
