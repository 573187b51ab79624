import type { AccessDecision } from './decide-access.js';

/** The `access_status` a model listing shows for a decision. */
export type AccessStatus = 'allowed' | 'upgrade_required';

export function accessStatus(decision: AccessDecision): AccessStatus {
  return decision.allowed ? 'allowed' : 'upgrade_required';
}
