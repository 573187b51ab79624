/**
 * A duration as an operator types it: `5s`, `500ms`, `2m` / `2min`; a bare number is
 * seconds. Returns milliseconds, or null when the text is not a non-negative duration.
 */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min)?\s*$/i.exec(text);
  if (!m) return null;
  const value = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const ms = unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000;
  return Number.isFinite(ms) ? Math.round(ms) : null;
}
