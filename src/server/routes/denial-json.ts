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

/** Remembers at most `maxEntries` bodies (models x tiers is small; the bound is a safety net). */
export function createDenialJson(maxEntries = 1024): DenialJson {
  const parts = new Map<string, readonly [string, string]>();
  return (decision, modelId, userTier, now) => {
    const key = `${modelId}\u0000${userTier}\u0000${decision.requiredTier}\u0000${decision.message}`;
    let known = parts.get(key);
    if (!known) {
      const json = JSON.stringify(denialBody(decision, modelId, userTier, PLACEHOLDER));
      const at = json.indexOf(PLACEHOLDER_MEMBER);
      known = [json.slice(0, at) + ',"timestamp":"', json.slice(at + PLACEHOLDER_MEMBER.length - 2)];
      if (parts.size >= maxEntries) parts.clear();
      parts.set(key, known);
    }
    return known[0] + now.toISOString() + known[1];
  };
}
