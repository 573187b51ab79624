/**
 * A model's tier policy as stored (the three columns the tier migration adds).
 * Values are plain strings on purpose: they come from a database or a file, and the
 * policy functions treat anything they do not know as a reason to deny.
 */
export interface ModelPolicy {
  readonly requiredTier: string;
  readonly tierRestrictionMode: string;
  readonly allowedTiers: readonly string[];
}
