import type { AccessDecision } from './decide-access.js';

type Denied = Pick<Extract<AccessDecision, { allowed: false }>, 'message' | 'requiredTier'>;

/** Where the guide's 403 body sends a caller who needs a higher tier. */
export const UPGRADE_URL = '/subscriptions/upgrade';

/** The guide's 403 body for a tier denial (test 3 and 7), plus OpenAI's `error` member: what the server sends and `access explain` shows. */
export interface DenialBody {
  readonly status: 'error';
  readonly code: 'model_access_restricted';
  readonly message: string;
  readonly details: {
    readonly model_id: string;
    readonly user_tier: string;
    readonly required_tier: string;
    readonly upgrade_url: string;
  };
  readonly timestamp: string;
  readonly error: { readonly message: string; readonly type: 'permission_error'; readonly code: 'model_access_restricted'; readonly param: null };
}


/** The exact body the API sends when `decision` denies `userTier` the model `modelId` at `now`. */
export function denialBody(decision: Denied, modelId: string, userTier: string, now: Date): DenialBody {
  return {
    status: 'error',
    code: 'model_access_restricted',
    message: decision.message,
    details: { model_id: modelId, user_tier: userTier, required_tier: decision.requiredTier, upgrade_url: UPGRADE_URL },
    timestamp: now.toISOString(),
    error: { message: decision.message, type: 'permission_error', code: 'model_access_restricted', param: null },
  };
}
