import type { Tier } from '../tier/index.js';
import { fail, pass, type Verdict } from './check-result.js';
import { expectedStatuses } from './expectations.js';
import { evidenceOf } from './http-probe.js';
import { listModels, tokenFor, type VerifyContext } from './verify-context.js';

/**
 * Tests 2, 4 and 6: the user of `tier` lists the models; `user_tier` is theirs and every
 * fixture model is listed with the access_status the tier library gives that tier.
 */
export async function listingMatches(ctx: VerifyContext, tier: Tier): Promise<Verdict> {
  const t = tokenFor(ctx, tier);
  if ('verdict' in t) return t.verdict;
  const listing = await listModels(ctx, t.token);
  if ('verdict' in listing) return listing.verdict;
  const expected = expectedStatuses(ctx.expectations, tier);
  const wrong: string[] = [];
  if (listing.body.user_tier !== tier) wrong.push(`user_tier is ${JSON.stringify(listing.body.user_tier)}, not "${tier}"`);
  for (const [id, status] of expected) {
    const m = listing.models.find((x) => x.id === id);
    if (!m) wrong.push(`${id} is not listed`);
    else if (m.access_status !== status) wrong.push(`${id}: access_status ${JSON.stringify(m.access_status)}, expected "${status}"`);
  }
  const want = [...expected].map(([id, s]) => `${id}: ${s}`).join(', ');
  if (wrong.length > 0) return fail(wrong.join('; '), evidenceOf(listing.exchange, `user_tier "${tier}"; ${want}`, wrong.join('; ')));
  return pass(`user_tier ${tier}; ${want}`);
}
