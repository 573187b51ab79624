/**
 * An OpenAI-compatible upstream (OpenAI, a vLLM/Ollama/LiteLLM gateway...) over undici: POSTs
 * to `<base>/v1/chat/completions` or `<base>/v1/completions` with the key as a Bearer token,
 * and streams by reading the upstream's SSE chunks into provider-neutral events.
 *
 * Timeouts: `complete` must have the whole answer within `timeoutMs`; `stream` must have the
 * response headers within `timeoutMs`, then no gap between chunks longer than `timeoutMs`.
 * The key is only ever put in the Authorization header: never in a message, never logged.
 */
import { Pool, type Dispatcher } from 'undici';
import { parseChunk, parseCompletion, wireBody, type WireChunk } from './openai-wire.js';
import { upstreamErr, upstreamOk, type Completion, type CompletionRequest, type FinishReason, type Provider, type StreamEvent, type Usage, type UpstreamFailure, type UpstreamResult } from './provider.js';
import { sseData } from './sse-data.js';
import { malformedFailure, statusFailure, streamErrorFailure, thrownFailure } from './upstream-failures.js';

export const OPENAI_COMPATIBLE = 'openai-compatible';
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;

export interface OpenAiCompatibleOptions {
  /** e.g. `https://api.openai.com` or `http://127.0.0.1:8000/v1` (a trailing `/v1` is not doubled). */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer <key>`; none for gateways without keys. */
  readonly apiKey?: string;
  readonly timeoutMs?: number;
  /** The `models.provider` value it serves (default `openai-compatible`). */
  readonly name?: string;
}

/** The origin for the pool, and the path prefix the endpoints hang off (always ending in `/v1`). */
export function upstreamEndpoint(baseUrl: string): { origin: string; prefix: string; search: string } {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  return { origin: url.origin, prefix: path.endsWith('/v1') ? path : `${path}/v1`, search: url.search };
}

type Body = Dispatcher.ResponseData['body'];

async function* streamEvents(kind: CompletionRequest['kind'], body: Body, signal: AbortSignal, timeoutMs: number): AsyncGenerator<StreamEvent> {
  let finishReason: FinishReason | undefined;
  let usage: Usage | undefined;
  let failure: UpstreamFailure | undefined;
  try {
    for await (const data of sseData(body)) {
      if (data.trim() === '[DONE]') break;
      let chunk: WireChunk | undefined;
      try {
        chunk = parseChunk(kind, JSON.parse(data));
      } catch {
        chunk = undefined;
      }
      if (!chunk || chunk.error) {
        failure = chunk ? streamErrorFailure : malformedFailure('stream chunk');
        break;
      }
      if (chunk.text !== '') yield { type: 'delta', text: chunk.text };
      finishReason = chunk.finishReason ?? finishReason;
      usage = chunk.usage ?? usage;
    }
  } catch (e) {
    if (signal.aborted) return;
    failure = thrownFailure(e, timeoutMs);
  } finally {
    body.destroy();
  }
  if (signal.aborted) return;
  if (failure) yield { type: 'error', failure };
  else if (finishReason === undefined && usage === undefined) yield { type: 'error', failure: { code: 'upstream_error', message: 'The upstream stream ended before it finished' } };
  else yield { type: 'finish', finishReason: finishReason ?? 'stop', ...(usage ? { usage } : {}) };
}

async function readCompletion(kind: CompletionRequest['kind'], body: Body, timeoutMs: number): Promise<UpstreamResult<Completion>> {
  let text: string;
  try {
    text = await body.text();
  } catch (e) {
    return upstreamErr(thrownFailure(e, timeoutMs));
  }
  let completion: Completion | undefined;
  try {
    completion = parseCompletion(kind, JSON.parse(text));
  } catch {
    completion = undefined;
  }
  return completion ? upstreamOk(completion) : upstreamErr(malformedFailure('answer'));
}

async function* wholeAsEvents(completion: Completion): AsyncGenerator<StreamEvent> {
  if (completion.text !== '') yield { type: 'delta', text: completion.text };
  yield { type: 'finish', finishReason: completion.finishReason, usage: completion.usage };
}

export function createOpenAiCompatibleProvider(options: OpenAiCompatibleOptions): Provider {
  const timeoutMs = options.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const { origin, prefix, search } = upstreamEndpoint(options.baseUrl);
  const pool = new Pool(origin, { connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const headers = (stream: boolean): Record<string, string> => ({
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
  });

  /** Sends the request; a refusal (status, network, timeout) is a failure and frees the connection. */
  async function send(request: CompletionRequest, stream: boolean, signal: AbortSignal) {
    const path = `${prefix}/${request.kind === 'chat' ? 'chat/completions' : 'completions'}${search}`;
    try {
      const res = await pool.request({ method: 'POST', path, headers: headers(stream), body: JSON.stringify(wireBody(request, stream)), signal });
      if (res.statusCode >= 200 && res.statusCode < 300) return upstreamOk(res);
      await res.body.dump().catch(() => {});
      return upstreamErr(statusFailure(res.statusCode));
    } catch (e) {
      return upstreamErr(thrownFailure(e, timeoutMs));
    }
  }

  return {
    name: options.name ?? OPENAI_COMPATIBLE,
    async complete(request) {
      const signal = AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]);
      const sent = await send(request, false, signal);
      return sent.ok ? readCompletion(request.kind, sent.value.body, timeoutMs) : sent;
    },
    async stream(request) {
      const sent = await send(request, true, request.signal);
      if (!sent.ok) return sent;
      const { headers: got, body } = sent.value;
      if (/^text\/event-stream\b/i.test(String(got['content-type'] ?? ''))) return upstreamOk(streamEvents(request.kind, body, request.signal, timeoutMs));
      // An upstream that ignored `stream: true` and answered the whole completion at once.
      const whole = await readCompletion(request.kind, body, timeoutMs);
      return whole.ok ? upstreamOk(wholeAsEvents(whole.value)) : whole;
    },
    close: () => pool.close(),
  };
}
