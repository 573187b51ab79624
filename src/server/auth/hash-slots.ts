/**
 * Bounds the password hashing (bcrypt) running at once: `slots` logins hash concurrently,
 * up to `maxQueued` more wait for a slot in arrival order, and any beyond that are refused
 * at once (the login route answers 429 with Retry-After), so a burst of logins cannot queue
 * unbounded CPU work.
 */
export interface HashSlots {
  /** A promise of the slot (resolve: hash, then call `release`), or undefined when full. */
  tryAcquire(): Promise<() => void> | undefined;
  /** Logins hashing right now. */
  readonly busy: number;
}

export function createHashSlots(slots: number, maxQueued: number): HashSlots {
  let busy = 0;
  const waiting: Array<(release: () => void) => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next(once());
    else busy -= 1;
  };
  const once = () => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
    };
  };
  return {
    tryAcquire() {
      if (busy < slots) {
        busy += 1;
        return Promise.resolve(once());
      }
      if (waiting.length >= maxQueued) return undefined;
      return new Promise((resolve) => waiting.push(resolve));
    },
    get busy() {
      return busy;
    },
  };
}
