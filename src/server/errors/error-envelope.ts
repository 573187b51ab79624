/**
 * The one error body every route answers with: the guide's envelope (`status`, `code`,
 * `message`, `details`, `timestamp`) plus an OpenAI-style `error` member, so the official
 * SDKs raise the right error class carrying the same message.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface ErrorEnvelope {
  readonly status: 'error';
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
  readonly timestamp: string;
  readonly error: { readonly message: string; readonly type: string; readonly code: string; readonly param: string | null };
}

/** OpenAI's error `type` for an HTTP status. */
export function openaiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 502 || status === 504) return 'upstream_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

export function errorEnvelope(status: number, code: string, message: string, details: Record<string, unknown> = {}, now = new Date()): ErrorEnvelope {
  return {
    status: 'error',
    code,
    message,
    details,
    timestamp: now.toISOString(),
    error: { message, type: openaiErrorType(status), code, param: typeof details.param === 'string' ? details.param : null },
  };
}

/** Answers with the envelope and notes the code for the request's api_logs row. */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  details?: Record<string, unknown>,
): FastifyReply {
  request.tierctl.errorCode = code;
  return reply.code(status).type('application/json; charset=utf-8').send(errorEnvelope(status, code, message, details));
}

/** JSON schema of the envelope (response serialization keeps `details` as given). */
export const errorEnvelopeSchema = {
  type: 'object',
  required: ['status', 'code', 'message', 'details', 'timestamp', 'error'],
  properties: {
    status: { type: 'string' },
    code: { type: 'string' },
    message: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
    timestamp: { type: 'string' },
    error: {
      type: 'object',
      properties: { message: { type: 'string' }, type: { type: 'string' }, code: { type: 'string' }, param: { type: ['string', 'null'] } },
    },
  },
} as const;
