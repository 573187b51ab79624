/**
 * Every benchmark prints exactly one JSON line on stdout through `reportFigure`, so
 * `npm run bench` can gather them into one table. Everything else goes to stderr.
 */
export interface Figure {
  /** Short id, e.g. `cli-startup`. */
  readonly name: string;
  /** What is measured, in words. */
  readonly what: string;
  /** The figure itself (often a ratio against `baseline`). */
  readonly value: number;
  readonly unit: string;
  /** The baseline measured in the same run, in words with its number. */
  readonly baseline: string;
  /** The goal, e.g. `<= 2.0`. */
  readonly goal: string;
  readonly met: boolean;
  /** Raw numbers behind the figure. */
  readonly detail?: Record<string, unknown>;
}

export function reportFigure(figure: Figure): void {
  process.stdout.write(JSON.stringify(figure) + '\n');
}

/** The q-quantile (0..1) of a list of numbers. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

export const median = (values: readonly number[]) => quantile(values, 0.5);
