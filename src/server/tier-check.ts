/**
 * The tier decision for one request, with the guide's log lines and the metrics. The
 * decision itself is src/tier's `decideAccess`; this adds timing, shadow mode and the
 * no-tier-schema case (nothing to enforce).
 */
import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger } from 'fastify';
import type { CatalogModel } from '../db/model-catalog.js';
import { decideAccess, type Tier } from '../tier/index.js';
import type { ServerMetrics } from './metrics.js';

export type TierCheck =
  | { readonly outcome: 'allowed' | 'skipped' | 'shadow_denied'; readonly ms: number }
  | { readonly outcome: 'denied'; readonly ms: number; readonly message: string; readonly requiredTier: string };

export interface TierChecker {
  check(userId: string, userTier: Tier, model: CatalogModel, log: FastifyBaseLogger): TierCheck;
}

export function createTierChecker(enforce: boolean, metrics: ServerMetrics): TierChecker {
  return {
    check(userId, userTier, model, log) {
      if (model.policy === null) {
        metrics.tierChecks.inc({ result: 'skipped' });
        return { outcome: 'skipped', ms: 0 };
      }
      const started = performance.now();
      const decision = decideAccess(userTier, model.policy);
      const ms = performance.now() - started;
      const result = decision.allowed ? 'allowed' : enforce ? 'denied' : 'shadow_denied';
      metrics.tierChecks.inc({ result });
      metrics.tierCheckDuration.observe({ result }, ms / 1000);
      log.info({ userId, modelId: model.id, userTier, requiredTier: model.policy.requiredTier, allowed: decision.allowed, durationMs: ms }, 'Tier access check completed');
      if (decision.allowed) return { outcome: 'allowed', ms };
      const fields = { userId, modelId: model.id, userTier, requiredTier: decision.requiredTier, reason: decision.reason, enforced: enforce };
      if (!enforce) {
        log.warn(fields, 'Model access denied (shadow mode: ENABLE_TIER_ENFORCEMENT=false, request allowed)');
        return { outcome: 'shadow_denied', ms };
      }
      log.warn(fields, 'Model access denied');
      return { outcome: 'denied', ms, message: decision.message, requiredTier: decision.requiredTier };
    },
  };
}
