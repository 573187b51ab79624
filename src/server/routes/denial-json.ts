/**
 * The guide's 403 body as JSON text, built from `denialBody` once per (model, tier,
 * decision) and completed with each request's timestamp: only the timestamp changes from
 * one denial to the next, and serializing the whole envelope per request was a visible part
 * of a denial's cost. The text is exactly what serializing `denialBody` gives.
 */
import { denialBody } from '../../tier/denial-body.js';

type Denied = Parameters<typeof denialBody>[0];

const PLACEHOLDER = new Date(0);
// Quotes inside string values are escaped in JSON, so this can only be the member itself.
const PLACEHOLDER_MEMBER = `,"timestamp":"${PLACEHOLDER.toISOString()}",`;

export type DenialJson = (decision: Denied, modelId: string, userTier: string, now: Date) => string;

interface Parts {
  readonly requiredTier: string;
  readonly message: string;
  readonly head: string;
  readonly tail: string;
}

/**
 * Remembers one body per (model, tier) and at most `maxEntries` (models x tiers is small;
 * the bound is a safety net). Looked up by the model and tier without building a key; the
 * decision's required tier and message are compared (the same strings each time for
 * `minimum` and `exact`, see decideAccess) and a different decision replaces the entry.
 */
export function createDenialJson(maxEntries = 1024): DenialJson {
  const byModel = new Map<string, Map<string, Parts>>();
  let size = 0;
  return (decision, modelId, userTier, now) => {
    let byTier = byModel.get(modelId);
    let known = byTier?.get(userTier);
    if (!known || known.requiredTier !== decision.requiredTier || known.message !== decision.message) {
      const json = JSON.stringify(denialBody(decision, modelId, userTier, PLACEHOLDER));
      const at = json.indexOf(PLACEHOLDER_MEMBER);
      known = { requiredTier: decision.requiredTier, message: decision.message, head: json.slice(0, at) + ',"timestamp":"', tail: json.slice(at + PLACEHOLDER_MEMBER.length - 2) };
      if (size >= maxEntries) byModel.clear(), (size = 0), (byTier = undefined);
      if (!byTier) byModel.set(modelId, (byTier = new Map()));
      if (!byTier.has(userTier)) size += 1;
      byTier.set(userTier, known);
    }
    return known.head + now.toISOString() + known.tail;
  };
}
