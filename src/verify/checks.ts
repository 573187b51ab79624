import type { Tier } from '../tier/index.js';
import type { Verdict } from './check-result.js';
import { checkDatabase } from './check-1-database.js';
import { checkFreeListsModels } from './check-2-free-lists-models.js';
import { checkFreeDeniedProModel } from './check-3-free-denied-pro-model.js';
import { checkProListsModels } from './check-4-pro-lists-models.js';
import { checkProUsesProModel } from './check-5-pro-uses-pro-model.js';
import { checkEnterpriseAllModels } from './check-6-enterprise-all-models.js';
import { checkErrorFormat } from './check-7-error-format.js';
import { checkBackwardCompatibility } from './check-8-backward-compatibility.js';
import type { VerifyContext } from './verify-context.js';

export interface Check {
  readonly id: number;
  /** The guide's title of the test. */
  readonly title: string;
  /** The test users it logs in as. */
  readonly logins: readonly Tier[];
  readonly run: (ctx: VerifyContext) => Promise<Verdict>;
}

/** The guide's eight post-deployment tests, in its order. */
export const CHECKS: readonly Check[] = [
  { id: 1, title: 'Verify Database Changes', logins: [], run: checkDatabase },
  { id: 2, title: 'Free User - List Models', logins: ['free'], run: checkFreeListsModels },
  { id: 3, title: 'Free User - Attempt Pro Model Access', logins: ['free'], run: checkFreeDeniedProModel },
  { id: 4, title: 'Pro User - List Models', logins: ['pro'], run: checkProListsModels },
  { id: 5, title: 'Pro User - Access Pro Model', logins: ['pro'], run: checkProUsesProModel },
  { id: 6, title: 'Enterprise User - Access All Models', logins: ['enterprise'], run: checkEnterpriseAllModels },
  { id: 7, title: 'Verify Error Response Format', logins: ['free'], run: checkErrorFormat },
  { id: 8, title: 'Verify Backward Compatibility', logins: [], run: checkBackwardCompatibility },
];
