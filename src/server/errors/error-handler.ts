/**
 * Every framework-level failure (bad JSON, schema violations, oversized bodies, unknown
 * routes, bugs) answered with the one error envelope. Nothing here leaks a stack trace.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { isDatabaseUnavailable } from './database-unavailable.js';
import { sendError } from './error-envelope.js';

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function validationMessage(error: FastifyError): { message: string; param: string | null } {
  const issue = (error.validation?.[0] ?? {}) as ValidationIssue;
  const missing = typeof issue.params?.missingProperty === 'string' ? issue.params.missingProperty : undefined;
  const path = (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  const param = missing ? [path, missing].filter(Boolean).join('.') : path || null;
  const what = error.validationContext ?? 'body';
  return { message: `Invalid request ${what}${param ? ` at '${param}'` : ''}: ${issue.message ?? 'does not match the schema'}`, param };
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      const { message, param } = validationMessage(error);
      return sendError(request, reply, 400, 'invalid_request', message, param ? { param } : {});
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(request, reply, 413, 'payload_too_large', 'Request body is too large');
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(request, reply, 415, 'unsupported_media_type', 'Content-Type must be application/json');
    }
    if (isDatabaseUnavailable(error)) {
      request.log.error({ err: error.message }, 'Database unavailable');
      return sendError(request, reply, 503, 'service_unavailable', 'The service is temporarily unavailable (database unreachable)');
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'invalid_json' : 'bad_request';
      const message = code === 'invalid_json' ? 'Request body is not valid JSON' : 'Bad request';
      return sendError(request, reply, status, code, message);
    }
    request.log.error({ err: { message: error.message, code: error.code, stack: error.stack } }, 'Unhandled error');
    return sendError(request, reply, 500, 'internal_error', 'Internal server error');
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, 404, 'route_not_found', `No route ${request.method} ${request.url.split('?')[0]}`));
}
