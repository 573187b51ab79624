/**
 * Route hooks that identify the caller before the body is read: `requireUser` answers 401
 * to anonymous or invalid callers (so unauthenticated bodies are never parsed);
 * `optionalUser` lets anonymous callers through but still refuses an invalid token.
 * Callback style: a caller known at once (remembered token, cached tier) goes on without a
 * promise; a 401 is sent and the hook chain left there (the callback is not called).
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify';
import { sendError } from '../errors/error-envelope.js';
import type { Authenticator, Caller } from './authenticate.js';

export function identifyHook(auth: Authenticator, required: boolean): onRequestHookHandler {
  const proceed = (caller: Caller, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (caller.kind === 'user') {
      const state = request.tierctl;
      state.userId = caller.userId;
      state.userTier = caller.tier;
      state.tierLookupMs = caller.tierLookupMs;
      return done();
    }
    if (caller.kind === 'refused') return void sendError(request, reply, 401, caller.code, caller.message);
    if (required) return void sendError(request, reply, 401, 'missing_token', 'Authentication required: send "Authorization: Bearer <token>" (POST /v1/auth/login)');
    done();
  };
  return function identify(request, reply, done) {
    const caller = auth.identify(request.headers.authorization);
    if (caller instanceof Promise) caller.then((c) => proceed(c, request, reply, done), done);
    else proceed(caller, request, reply, done);
  };
}
