import { ExitCode } from './exit-codes.js';

/** An expected failure, as a value: what went wrong, and the exit code it maps to. */
export interface Failure {
  /** Stable machine code, e.g. `database_unreachable`. */
  readonly code: string;
  readonly message: string;
  readonly exitCode: ExitCode;
  /** What the operator can do about it. */
  readonly hint?: string;
  /** Further problems (config lists every problem) or evidence. */
  readonly problems?: readonly string[];
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = <T = never>(failure: Failure): Result<T> => ({ ok: false, failure });

export function failure(code: string, message: string, exitCode: ExitCode, extra: Pick<Failure, 'hint' | 'problems'> = {}): Failure {
  return { code, message, exitCode, ...extra };
}

export const usageFailure = (code: string, message: string, extra?: Pick<Failure, 'hint' | 'problems'>) =>
  failure(code, message, ExitCode.usage, extra);

const BRAND = Symbol.for('tierctl.TierctlError');

/**
 * Carries a Failure through code that throws (the CLI edge turns it back into an exit code).
 * `instanceof` goes by a registered symbol, not by the class object: the bundled CLI
 * (scripts/bundle-cli.js) has one copy of this class in main.js and one in each command's
 * bundle, and an error thrown by one must be recognized by the other.
 */
export class TierctlError extends Error {
  readonly failure: Failure;
  readonly [BRAND] = true;
  constructor(f: Failure, options?: { cause?: unknown }) {
    super(f.message, options);
    this.name = 'TierctlError';
    this.failure = f;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }
}

/** The value of a Result, or its Failure thrown as a TierctlError. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new TierctlError(result.failure);
}
