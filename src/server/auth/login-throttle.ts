/**
 * Slows down password guessing: after `maxFailures` failed logins for one email from one
 * IP within `windowMs`, further attempts get 429 until the window has passed. An attempt is
 * reserved synchronously, before the request awaits anything: attempts still being checked
 * count against the limit, so N guesses sent at once get at most `maxFailures` password
 * checks. Memory is bounded (oldest keys go first).
 */
export interface LoginThrottle {
  /**
   * Reserves one attempt for `key`, or says how many seconds to wait. Call exactly one of
   * the attempt's methods when the password check is over.
   */
  reserve(key: string): LoginAttempt | { readonly retryAfterSeconds: number };
}

export interface LoginAttempt {
  /** The password matched: the key's failures are forgotten. */
  succeeded(): void;
  /** The password did not match (or the user does not exist): one failure counted. */
  failed(): void;
  /** No answer about the password (an error, the server busy): nothing counted. */
  cancel(): void;
}

export interface LoginThrottleOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly maxKeys?: number;
  readonly now?: () => number;
}

interface Window {
  failures: number;
  readonly startedAt: number;
}

export const throttleKey = (email: string, ip: string) => `${email.trim().toLowerCase()}\u0000${ip}`;

export const isLoginAttempt = (x: LoginAttempt | { readonly retryAfterSeconds: number }): x is LoginAttempt => !('retryAfterSeconds' in x);

export function createLoginThrottle(options: LoginThrottleOptions): LoginThrottle {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 50_000;
  const windows = new Map<string, Window>();
  /** Attempts reserved and not settled yet, per key. */
  const inFlight = new Map<string, number>();
  const current = (key: string): Window | undefined => {
    const w = windows.get(key);
    if (w && now() - w.startedAt >= options.windowMs) {
      windows.delete(key);
      return undefined;
    }
    return w;
  };
  const recordFailure = (key: string) => {
    const w = current(key);
    if (w) {
      w.failures += 1;
      return;
    }
    if (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string);
    windows.set(key, { failures: 1, startedAt: now() });
  };
  return {
    reserve(key) {
      const w = current(key);
      const pending = inFlight.get(key) ?? 0;
      const failures = w?.failures ?? 0;
      if (failures + pending >= options.maxFailures) {
        // Locked out: until the window ends. Only attempts in flight: they settle within a second.
        const retryAfterSeconds = w && failures >= options.maxFailures ? Math.max(1, Math.ceil((w.startedAt + options.windowMs - now()) / 1000)) : 1;
        return { retryAfterSeconds };
      }
      inFlight.set(key, pending + 1);
      let settled = false;
      const settle = (outcome: 'succeeded' | 'failed' | 'cancelled') => {
        if (settled) return;
        settled = true;
        const left = (inFlight.get(key) ?? 1) - 1;
        if (left > 0) inFlight.set(key, left);
        else inFlight.delete(key);
        if (outcome === 'failed') recordFailure(key);
        if (outcome === 'succeeded') windows.delete(key);
      };
      return { succeeded: () => settle('succeeded'), failed: () => settle('failed'), cancel: () => settle('cancelled') };
    },
  };
}
