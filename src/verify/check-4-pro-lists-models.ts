import type { Verdict } from './check-result.js';
import { listingMatches } from './listing-statuses.js';
import type { VerifyContext } from './verify-context.js';

/** Test 4: the pro user's listing: Enterprise models upgrade_required, Pro models allowed (as the tier library decides). */
export const checkProListsModels = (ctx: VerifyContext): Promise<Verdict> => listingMatches(ctx, 'pro');
