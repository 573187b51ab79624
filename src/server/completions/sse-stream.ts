/**
 * Frames a provider's stream events as OpenAI server-sent events and always ends with
 * `data: [DONE]`. A failure after the first byte is sent as an `error` event (the status
 * is already 200); the OpenAI SDK raises it as an APIError.
 */
import { Readable } from 'node:stream';
import { errorEnvelope } from '../errors/error-envelope.js';
import type { StreamEvent, Usage } from '../providers/provider.js';
import { chunkBody, usageChunk, type Kind, type ResponseIdentity } from './openai-shapes.js';

const frame = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

export interface SseOutcome {
  /** Set when the upstream failed mid-stream (for the api_logs row). */
  errorCode: string | null;
}

async function* frames(kind: Kind, who: ResponseIdentity, events: AsyncIterable<StreamEvent>, includeUsage: boolean, outcome: SseOutcome): AsyncGenerator<string> {
  yield frame(chunkBody(kind, who, kind === 'chat' ? { role: true } : { text: '' }));
  let usage: Usage | undefined;
  for await (const event of events) {
    if (event.type === 'delta') {
      if (event.text !== '') yield frame(chunkBody(kind, who, { text: event.text }));
    } else if (event.type === 'finish') {
      usage = event.usage;
      yield frame(chunkBody(kind, who, { finish: event.finishReason }));
      break;
    } else {
      outcome.errorCode = event.failure.code;
      const body = errorEnvelope(502, event.failure.code, event.failure.message);
      yield frame({ error: body.error, status: body.status, code: body.code, message: body.message });
      break;
    }
  }
  if (includeUsage && usage) yield frame(usageChunk(kind, who, usage));
  yield 'data: [DONE]\n\n';
}

export function sseStream(kind: Kind, who: ResponseIdentity, events: AsyncIterable<StreamEvent>, includeUsage: boolean, outcome: SseOutcome): Readable {
  return Readable.from(frames(kind, who, events, includeUsage, outcome), { objectMode: false });
}
