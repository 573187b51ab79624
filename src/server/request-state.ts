/**
 * What a request leaves behind for its api_logs row and metrics: who called, which model,
 * which error code, how long the tier check took. Set by the routes, read in onResponse.
 */
import type { Tier } from '../tier/index.js';

export interface RequestState {
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  userId: string | null;
  userTier: Tier | null;
  modelId: string | null;
  errorCode: string | null;
  tierCheckMs: number | null;
  /** How long finding the caller's tier took (cache or database), part of the tier check time. */
  tierLookupMs: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    tierctl: RequestState;
  }
}

export function newRequestState(startedAt: number): RequestState {
  return { startedAt, userId: null, userTier: null, modelId: null, errorCode: null, tierCheckMs: null, tierLookupMs: 0 };
}
