/**
 * The tier policy library: pure functions, no I/O, time passed in. Everything that
 * decides who may use which model (server, verify, seed, access explain) calls these.
 */
export * from './tiers.js';
export type { ModelPolicy } from './model-policy.js';
export * from './decide-access.js';
export * from './access-status.js';
export * from './effective-tier.js';
export * from './lint-policy.js';
export * from './denial-body.js';
