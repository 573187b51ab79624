import { fail, pass, type Verdict } from './check-result.js';
import { evidenceOf } from './http-probe.js';
import { listModels, type VerifyContext } from './verify-context.js';

const OLD_FIELDS = ['id', 'name', 'provider', 'capabilities'] as const;
const NEW_FIELDS = ['required_tier', 'tier_restriction_mode', 'allowed_tiers'] as const;

/** Test 8: an existing client's anonymous `GET /v1/models` still lists models, with the old fields and the new ones. */
export async function checkBackwardCompatibility(ctx: VerifyContext): Promise<Verdict> {
  const listing = await listModels(ctx);
  if ('verdict' in listing) return listing.verdict;
  const wrong: string[] = [];
  if (listing.models.length === 0) wrong.push('no model listed');
  for (const m of listing.models) {
    const missing = [...OLD_FIELDS, ...NEW_FIELDS].filter((f) => m[f] === undefined || m[f] === null);
    if (missing.length > 0) wrong.push(`${String(m.id)} lacks ${missing.join(', ')}`);
    else if (!Array.isArray(m.capabilities) || !Array.isArray(m.allowed_tiers)) wrong.push(`${String(m.id)}: capabilities and allowed_tiers must be arrays`);
  }
  for (const id of ctx.expectations.policies.keys()) if (!listing.models.some((m) => m.id === id)) wrong.push(`${id} is not listed`);
  if (wrong.length > 0) return fail(wrong.slice(0, 5).join('; '), evidenceOf(listing.exchange, `200; every model with ${[...OLD_FIELDS, ...NEW_FIELDS].join(', ')}`, wrong.join('; ')));
  return pass(`${listing.models.length} models listed without a token, old and new fields present`);
}
