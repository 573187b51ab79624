/**
 * Request body schemas of /v1/chat/completions and /v1/completions. Types are strict (no
 * coercion: `model: 5` is a 400, not the model "5"); unknown OpenAI parameters are accepted
 * and ignored, as OpenAI-compatible servers do.
 */
const modelId = { type: 'string', minLength: 1, maxLength: 256 } as const;
const stop = { anyOf: [{ type: 'string', maxLength: 256 }, { type: 'array', maxItems: 4, items: { type: 'string', maxLength: 256 } }, { type: 'null' }] } as const;

const common = {
  model: modelId,
  stream: { type: ['boolean', 'null'] },
  stream_options: { type: ['object', 'null'], properties: { include_usage: { type: 'boolean' } } },
  max_tokens: { type: ['integer', 'null'], minimum: 1, maximum: 1_000_000 },
  temperature: { type: ['number', 'null'], minimum: 0, maximum: 2 },
  top_p: { type: ['number', 'null'], minimum: 0, maximum: 1 },
  n: { type: ['integer', 'null'], minimum: 1, maximum: 1 },
  stop,
  user: { type: 'string', maxLength: 256 },
} as const;

const contentPart = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string' }, text: { type: 'string' } },
} as const;

export const chatBodySchema = {
  type: 'object',
  required: ['model', 'messages'],
  properties: {
    ...common,
    max_completion_tokens: { type: ['integer', 'null'], minimum: 1, maximum: 1_000_000 },
    messages: {
      type: 'array',
      minItems: 1,
      maxItems: 2048,
      items: {
        type: 'object',
        required: ['role'],
        properties: {
          role: { type: 'string', enum: ['system', 'developer', 'user', 'assistant', 'tool', 'function'] },
          content: { anyOf: [{ type: 'string' }, { type: 'array', maxItems: 256, items: contentPart }, { type: 'null' }] },
          name: { type: 'string', maxLength: 256 },
        },
      },
    },
  },
} as const;

export const textBodySchema = {
  type: 'object',
  required: ['model', 'prompt'],
  properties: {
    ...common,
    prompt: { anyOf: [{ type: 'string' }, { type: 'array', minItems: 1, maxItems: 1, items: { type: 'string' } }] },
  },
} as const;

export interface ChatBody {
  model: string;
  messages: { role: string; content?: string | { type: string; text?: string }[] | null; name?: string }[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  user?: string;
}

export interface TextBody {
  model: string;
  prompt: string | string[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  user?: string;
}
