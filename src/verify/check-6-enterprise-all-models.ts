import type { Verdict } from './check-result.js';
import { listingMatches } from './listing-statuses.js';
import type { VerifyContext } from './verify-context.js';

/** Test 6: the enterprise user's listing (every model allowed with the guide's assignments). */
export const checkEnterpriseAllModels = (ctx: VerifyContext): Promise<Verdict> => listingMatches(ctx, 'enterprise');
