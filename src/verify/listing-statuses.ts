import type { Tier } from '../tier/index.js';
import { fail, pass, type Verdict } from './check-result.js';
import { expectedStatus, expectedStatuses } from './expectations.js';
import { evidenceOf } from './http-probe.js';
import { listModels, tokenFor, type VerifyContext } from './verify-context.js';

/**
 * Tests 2, 4 and 6: the user of `tier` lists the models; `user_tier` is theirs, every
 * fixture model is listed with the access_status the tier library gives that tier for the
 * fixture's policy, and every other listed model with what it gives for the policy it is
 * listed with.
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
  let others = 0;
  for (const m of listing.models.filter((x) => typeof x.id !== 'string' || !expected.has(x.id))) {
    const name = typeof m.id === 'string' ? m.id : `model ${JSON.stringify(m.id)}`;
    const status = typeof m.id === 'string' ? expectedStatus(ctx.expectations, tier, m.id, m) : null;
    if (status === null) wrong.push(`${name} is listed without its tier fields`);
    else if (m.access_status !== status) wrong.push(`${name}: access_status ${JSON.stringify(m.access_status)}, expected "${status}" (its listed policy)`);
    else others += 1;
  }
  const want = [...expected].map(([id, s]) => `${id}: ${s}`).join(', ');
  const rest = others > 0 ? `; ${others} other model(s) as their listed policy gives` : '';
  if (wrong.length > 0) return fail(wrong.join('; '), evidenceOf(listing.exchange, `user_tier "${tier}"; ${want}; other models as their listed policy gives`, wrong.join('; ')));
  return pass(`user_tier ${tier}; ${want}${rest}`);
}
