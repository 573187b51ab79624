import { Option } from 'commander';
import { DURATION_RULE } from '../shared/duration.js';

/**
 * A duration option (`--wait <duration>`), its help stating the one rule every duration flag
 * follows: units ms, s, m, h; a bare number is seconds. Read it with `durationFlag` (settings).
 */
export function durationOption(flags: string, description: string, fallback?: string): Option {
  const option = new Option(flags, `${description} (${DURATION_RULE})`);
  return fallback === undefined ? option : option.default(fallback);
}
