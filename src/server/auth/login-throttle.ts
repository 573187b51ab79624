/**
 * Slows down password guessing: after `maxFailures` failed logins for one email from one
 * IP within `windowMs`, further attempts get 429 until the window has passed. Memory is
 * bounded (oldest keys go first).
 */
export interface LoginThrottle {
  /** Seconds to wait when the key is locked out, otherwise 0. */
  retryAfter(key: string): number;
  recordFailure(key: string): void;
  recordSuccess(key: string): void;
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

export function createLoginThrottle(options: LoginThrottleOptions): LoginThrottle {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 50_000;
  const windows = new Map<string, Window>();
  const current = (key: string): Window | undefined => {
    const w = windows.get(key);
    if (w && now() - w.startedAt >= options.windowMs) {
      windows.delete(key);
      return undefined;
    }
    return w;
  };
  return {
    retryAfter(key) {
      const w = current(key);
      if (!w || w.failures < options.maxFailures) return 0;
      return Math.max(1, Math.ceil((w.startedAt + options.windowMs - now()) / 1000));
    },
    recordFailure(key) {
      const w = current(key);
      if (w) {
        w.failures += 1;
        return;
      }
      if (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string);
      windows.set(key, { failures: 1, startedAt: now() });
    },
    recordSuccess(key) {
      windows.delete(key);
    },
  };
}
