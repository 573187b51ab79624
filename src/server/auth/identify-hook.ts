/**
 * Route hooks that identify the caller before the body is read: `requireUser` answers 401
 * to anonymous or invalid callers (so unauthenticated bodies are never parsed);
 * `optionalUser` lets anonymous callers through but still refuses an invalid token.
 */
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { sendError } from '../errors/error-envelope.js';
import type { Authenticator } from './authenticate.js';

export function identifyHook(auth: Authenticator, required: boolean): onRequestAsyncHookHandler {
  return async function identify(request: FastifyRequest, reply: FastifyReply) {
    const caller = await auth.identify(request.headers.authorization);
    if (caller.kind === 'user') {
      request.tierctl.userId = caller.userId;
      request.tierctl.userTier = caller.tier;
      request.tierctl.tierLookupMs = caller.tierLookupMs;
      return;
    }
    if (caller.kind === 'refused') return sendError(request, reply, 401, caller.code, caller.message);
    if (required) return sendError(request, reply, 401, 'missing_token', 'Authentication required: send "Authorization: Bearer <token>" (POST /v1/auth/login)');
  };
}
