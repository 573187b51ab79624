/** Milliseconds per unit an operator may type. */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** The rule every duration flag follows, for its help and its error message. */
export const DURATION_RULE = 'a duration: 500ms, 5s, 2m, 1h; a bare number is seconds';

/**
 * A duration as an operator types it: `500ms`, `5s`, `2m` / `2min`, `1h`; a bare number is
 * seconds, for every flag. Returns milliseconds, or null when the text is not a non-negative
 * duration. The one parser of every duration flag.
 */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/i.exec(text);
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[(m[2] ?? 's').toLowerCase()]!;
  return Number.isFinite(ms) ? Math.round(ms) : null;
}
