/**
 * GET /v1/models: the guide's listing (`models`, `total`, `user_tier`, tier fields and, for a
 * signed-in caller, `access_status`) plus OpenAI's `object: "list"` and `data`. Without the
 * tier schema the models carry only their old fields. Bodies are built once per catalog
 * snapshot and caller tier, then served as they are.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { POLICY_UNAVAILABLE, type Catalog, type CatalogModel } from '../queries/model-catalog.js';
import { accessStatus, decideAccess, type Tier } from '../../tier/index.js';
import { identifyHook } from '../auth/identify-hook.js';
import { errorEnvelopeSchema } from '../errors/error-envelope.js';
import type { ServerContext } from '../server-context.js';

function listedModel(model: CatalogModel, tier: Tier | null): Record<string, unknown> {
  const item: Record<string, unknown> = {
    id: model.id,
    object: 'model',
    name: model.name,
    display_name: model.displayName,
    provider: model.provider,
    description: model.description,
    capabilities: model.capabilities,
    context_length: model.contextLength,
    credits_per_1k_tokens: model.creditsPer1kTokens,
    is_available: model.isAvailable,
  };
  if (model.policy === POLICY_UNAVAILABLE) {
    // Unreadable and none known: no tier fields to show, and nothing is allowed.
    if (tier !== null) item.access_status = POLICY_UNAVAILABLE;
  } else if (model.policy) {
    item.required_tier = model.policy.requiredTier;
    item.tier_restriction_mode = model.policy.tierRestrictionMode;
    item.allowed_tiers = model.policy.allowedTiers;
    if (tier !== null) item.access_status = accessStatus(decideAccess(tier, model.policy));
  }
  return item;
}

/** The listing body for a caller of `tier` (null: anonymous). */
export function modelListing(catalog: Catalog, tier: Tier | null): Record<string, unknown> {
  const available = catalog.models.filter((m) => m.isAvailable);
  return {
    object: 'list',
    data: available.map((m) => ({ id: m.id, object: 'model', created: Math.floor(m.createdAt.getTime() / 1000), owned_by: m.provider })),
    models: available.map((m) => listedModel(m, tier)),
    total: available.length,
    user_tier: tier,
  };
}

const schema = {
  headers: { type: 'object', properties: { authorization: { type: 'string' } } },
  response: {
    200: {
      type: 'object',
      required: ['object', 'data', 'models', 'total', 'user_tier'],
      properties: {
        object: { type: 'string' },
        data: { type: 'array', items: { type: 'object', additionalProperties: true } },
        models: { type: 'array', items: { type: 'object', additionalProperties: true } },
        total: { type: 'integer' },
        user_tier: { type: ['string', 'null'] },
      },
    },
    '4xx': errorEnvelopeSchema,
    '5xx': errorEnvelopeSchema,
  },
} as const;

export function registerModels(app: FastifyInstance, ctx: ServerContext): void {
  const bodies = new WeakMap<Catalog, Map<Tier | null, string>>();
  const body = (catalog: Catalog, tier: Tier | null): string => {
    let byTier = bodies.get(catalog);
    if (!byTier) bodies.set(catalog, (byTier = new Map()));
    let json = byTier.get(tier);
    if (json === undefined) byTier.set(tier, (json = JSON.stringify(modelListing(catalog, tier))));
    return json;
  };
  const send = (catalog: Catalog, request: FastifyRequest, reply: FastifyReply) => reply.type('application/json; charset=utf-8').send(body(catalog, request.tierctl.userTier));
  // A cached catalog is sent at once (the handler returns nothing: the reply is sent); else when it is read.
  app.get('/v1/models', { schema, onRequest: identifyHook(ctx.auth, false) }, (request, reply) => {
    const catalog = ctx.models.listing(request.log);
    if (catalog instanceof Promise) return catalog.then((c) => send(c, request, reply));
    send(catalog, request, reply);
  });
}
