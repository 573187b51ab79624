/**
 * Per-request bookkeeping: the state routes fill in, and on response one api_logs row and
 * the request metrics. Strings from the client are cleaned before they reach the database
 * (NUL is not storable in PostgreSQL text; a bad row must never block a batch).
 */
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { newRequestState } from './request-state.js';
import type { ServerContext } from './server-context.js';

const clean = (value: string, max: number) => {
  const stored = value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
  return stored.length > max ? stored.slice(0, max) : stored;
};
/** The URL without its query string. */
const pathOf = (url: string) => {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
};

/**
 * `closing()` tells whether the app is shutting down: then each finished response also
 * closes the keep-alive connections that went idle (see graceful-close.ts).
 */
export function registerRequestRecording(app: FastifyInstance, ctx: ServerContext, closing: () => boolean): void {
  app.decorateRequest('tierctl', null as never);
  app.addHook('onRequest', (request, reply, done) => {
    request.tierctl = newRequestState(performance.now());
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const state = request.tierctl ?? newRequestState(performance.now());
    const latencyMs = performance.now() - state.startedAt;
    const status = reply.statusCode;
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.requests.inc({ route, method: request.method, status: String(status) });
    ctx.metrics.requestDuration.observe({ route }, latencyMs / 1000);
    ctx.apiLogs.record({
      requestId: request.id,
      userId: state.userId,
      method: request.method,
      path: clean(pathOf(request.url), 2048),
      modelId: state.modelId === null ? null : clean(state.modelId, 256),
      statusCode: status,
      errorCode: state.errorCode,
      latencyMs,
      tierCheckMs: state.tierCheckMs,
      createdAt: ctx.now(),
    });
    if (closing()) setImmediate(() => app.server.closeIdleConnections());
    done();
  });
}
