/**
 * POST /v1/chat/completions and POST /v1/completions. Order of checks: token (401, before
 * the body is read), body (400/413), model by exact id (404), tier (403 with the guide's
 * body; a denied request never reaches a provider; 503 policy_unavailable when the policy
 * cannot be read and none is known), availability (400), provider (502).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { identifyHook } from '../auth/identify-hook.js';
import { chatRequest, textRequest } from '../completions/completion-request.js';
import { chatBodySchema, textBodySchema, type ChatBody, type TextBody } from '../completions/completion-schemas.js';
import { completionBody, responseIdentity, type Kind } from '../completions/openai-shapes.js';
import { sseStream } from '../completions/sse-stream.js';
import { errorEnvelopeSchema, sendError } from '../errors/error-envelope.js';
import type { Provider, UpstreamFailure } from '../providers/provider.js';
import type { CatalogModel } from '../queries/model-catalog.js';
import type { ServerContext } from '../server-context.js';
import { createDenialJson } from './denial-json.js';

const successSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    object: { type: 'string' },
    created: { type: 'integer' },
    model: { type: 'string' },
    choices: { type: 'array', items: { type: 'object', additionalProperties: true } },
    usage: {
      type: 'object',
      properties: { prompt_tokens: { type: 'integer' }, completion_tokens: { type: 'integer' }, total_tokens: { type: 'integer' } },
    },
  },
} as const;

const routeSchema = (body: object) => ({ body, response: { 200: successSchema, '4xx': errorEnvelopeSchema, '5xx': errorEnvelopeSchema } });

function upstreamError(request: FastifyRequest, reply: FastifyReply, provider: string, failure: UpstreamFailure) {
  request.log.warn({ provider, code: failure.code, upstreamStatus: failure.upstreamStatus }, 'Upstream provider failed');
  const details = { provider, ...(failure.upstreamStatus !== undefined ? { upstream_status: failure.upstreamStatus } : {}) };
  return sendError(request, reply, 502, failure.code, failure.message, details);
}

export function registerCompletions(app: FastifyInstance, ctx: ServerContext): void {
  const denialJson = createDenialJson();
  type Request = FastifyRequest<{ Body: ChatBody | TextBody }>;
  // With the catalog cached, everything up to the provider happens at once: a 403/404/400/503
  // is sent and the handler returns nothing; otherwise it returns the promise of the answer.
  const handle = (kind: Kind, request: Request, reply: FastifyReply) => {
    request.tierctl.modelId = request.body.model;
    const model = ctx.models.find(request.body.model, request.log);
    if (model instanceof Promise) return model.then((m): unknown => answer(kind, request, reply, m));
    const answered = answer(kind, request, reply, model);
    return answered === reply ? undefined : answered;
  };
  const answer = (kind: Kind, request: Request, reply: FastifyReply, model: CatalogModel | undefined) => {
    const body = request.body;
    const state = request.tierctl;
    const userId = state.userId!;
    const tier = state.userTier!;
    if (!model) return sendError(request, reply, 404, 'model_not_found', `The model '${body.model}' does not exist`, { model_id: body.model });
    const check = ctx.tierChecker.check({ userId, tier, lookupMs: state.tierLookupMs }, model, request.log);
    state.tierCheckMs = check.ms;
    if (check.outcome === 'denied') {
      state.errorCode = 'model_access_restricted';
      // Already JSON text: a string with a JSON content type is sent as it is.
      return reply.code(403).type('application/json; charset=utf-8').send(denialJson(check, model.id, tier, new Date()));
    }
    if (check.outcome === 'unavailable') {
      reply.header('Retry-After', '1');
      const message = `The tier policy of '${model.id}' cannot be read right now; the request is refused rather than allowed unchecked`;
      return sendError(request, reply, 503, 'policy_unavailable', message, { model_id: model.id });
    }
    if (!model.isAvailable) return sendError(request, reply, 400, 'model_unavailable', `The model '${model.id}' is not available at the moment`, { model_id: model.id });
    const provider = ctx.providers.get(model.provider);
    if (!provider) {
      return upstreamError(request, reply, model.provider, { code: 'provider_not_configured', message: `No upstream is configured for provider '${model.provider}'` });
    }
    return complete(kind, request, reply, model, provider);
  };
  const complete = async (kind: Kind, request: Request, reply: FastifyReply, model: CatalogModel, provider: Provider) => {
    const body = request.body;
    const state = request.tierctl;
    const userId = state.userId!;
    const controller = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort();
    });
    const upstream = kind === 'chat' ? chatRequest(body as ChatBody, userId, controller.signal) : textRequest(body as TextBody, userId, controller.signal);
    const who = responseIdentity(kind, model.id, ctx.now());
    if (body.stream) {
      const started = await provider.stream(upstream);
      if (!started.ok) return upstreamError(request, reply, model.provider, started.failure);
      reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-cache').header('x-accel-buffering', 'no');
      return reply.send(sseStream(kind, who, started.value, Boolean(body.stream_options?.include_usage), state));
    }
    const result = await provider.complete(upstream);
    if (!result.ok) return upstreamError(request, reply, model.provider, result.failure);
    return completionBody(kind, who, result.value);
  };
  const onRequest = identifyHook(ctx.auth, true);
  app.post<{ Body: ChatBody }>('/v1/chat/completions', { schema: routeSchema(chatBodySchema), onRequest }, (request, reply) => handle('chat', request, reply));
  app.post<{ Body: TextBody }>('/v1/completions', { schema: routeSchema(textBodySchema), onRequest }, (request, reply) => handle('text', request, reply));
}
