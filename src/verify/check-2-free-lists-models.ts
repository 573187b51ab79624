import type { Verdict } from './check-result.js';
import { listingMatches } from './listing-statuses.js';
import type { VerifyContext } from './verify-context.js';

/** Test 2: the free user's listing shows user_tier free and what the tier library decides for free. */
export const checkFreeListsModels = (ctx: VerifyContext): Promise<Verdict> => listingMatches(ctx, 'free');
