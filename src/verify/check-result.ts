/** What a failed check shows: the request, what came back, and what was expected instead. */
export interface Evidence {
  readonly request?: string;
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** The response body, trimmed to a readable length. */
  readonly body?: string;
  readonly expected: string;
  readonly actual: string;
}

export type CheckOutcome = 'pass' | 'fail' | 'skipped';

export interface CheckResult {
  /** The guide's test number, 1 to 8. */
  readonly id: number;
  /** The guide's title. */
  readonly title: string;
  readonly result: CheckOutcome;
  readonly durationMs: number;
  /** One line: what passed, why it failed, or why it was skipped. */
  readonly message: string;
  readonly evidence?: Evidence;
}

/** A check's verdict before it is timed and titled. */
export type Verdict =
  | { readonly result: 'pass'; readonly message: string }
  | { readonly result: 'fail'; readonly message: string; readonly evidence?: Evidence }
  | { readonly result: 'skipped'; readonly message: string };

export const pass = (message: string): Verdict => ({ result: 'pass', message });
export const fail = (message: string, evidence?: Evidence): Verdict => ({ result: 'fail', message, ...(evidence ? { evidence } : {}) });
export const skipped = (reason: string): Verdict => ({ result: 'skipped', message: reason });

/** Why tests 3 and 5 cannot run with the assignments given (they are then skipped, not passed). */
export const NO_PRO_MODEL = 'tier-assignments.json has no model that the pro tier may use and the free tier may not (the guide\'s "Pro model")';
